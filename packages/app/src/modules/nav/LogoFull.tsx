import { PorticoMark } from './PorticoMark';

export const LogoFull = () => (
  <svg
    height={30}
    viewBox="0 0 160 40"
    role="img"
    aria-label="Portico"
    xmlns="http://www.w3.org/2000/svg"
  >
    <PorticoMark fill="#7df3e1" />
    <text
      x="48"
      y="29"
      fill="#ffffff"
      fontFamily="Helvetica, Arial, sans-serif"
      fontSize="26"
      fontWeight="700"
      letterSpacing="0.5"
    >
      Portico
    </text>
  </svg>
);
