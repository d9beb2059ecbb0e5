import { PorticoMark } from './PorticoMark';

export const LogoIcon = () => (
  <svg
    width={28}
    height={28}
    viewBox="0 0 40 40"
    role="img"
    aria-label="Portico"
    xmlns="http://www.w3.org/2000/svg"
  >
    <PorticoMark fill="#7df3e1" />
  </svg>
);
