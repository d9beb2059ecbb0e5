/**
 * Waits until the backend has ingested the demo users: sign-in resolves the IdP's email to a User
 * entity, which exists only once the catalog has processed demo-data/org.yaml.
 */
export default async function globalSetup() {
  const deadline = Date.now() + 180_000;
  const url =
    'http://localhost:7007/api/catalog/entities/by-name/user/default/bob';
  let last = '';
  while (Date.now() < deadline) {
    const response = await fetch(url, {
      headers: { authorization: `Bearer ${process.env.E2E_SERVICE_TOKEN}` },
    }).catch(error => ({ ok: false, status: String(error) } as const));
    if (response.ok) return;
    last = String(response.status);
    await new Promise(resolve => setTimeout(resolve, 1000));
  }
  throw new Error(
    `The demo catalog was not ingested within 180 s (last answer: ${last})`,
  );
}
