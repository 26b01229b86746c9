import QRCode from "qrcode";

/** The QR's dark modules as one SVG path in module units (runs merged per row), plus its size in modules. */
export function qrModulePath(qr: string): { size: number; d: string } {
  const { modules } = QRCode.create(qr, { errorCorrectionLevel: "M" });
  const { size, data } = modules;
  let d = "";
  for (let row = 0; row < size; row++) {
    let col = 0;
    while (col < size) {
      if (!data[row * size + col]) {
        col++;
        continue;
      }
      const start = col;
      while (col < size && data[row * size + col]) col++;
      d += `M${start} ${row}h${col - start}v1h${start - col}z`;
    }
  }
  return { size, d };
}
