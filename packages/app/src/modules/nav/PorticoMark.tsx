/** The Portico mark: a pediment over three columns, drawn in a 40x40 box. */
export const PorticoMark = ({ fill }: { fill: string }) => (
  <g fill={fill}>
    <path d="M20 3 L38 12 H2 Z" />
    <rect x="4" y="14" width="32" height="3" rx="1" />
    <rect x="7" y="19" width="5" height="14" rx="1" />
    <rect x="17.5" y="19" width="5" height="14" rx="1" />
    <rect x="28" y="19" width="5" height="14" rx="1" />
    <rect x="2" y="35" width="36" height="3" rx="1" />
  </g>
);
