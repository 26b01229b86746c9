export { formatCardAmount } from "./amount-format.js";
export type { KhqrCardInput } from "./card-svg.js";
export { renderKhqrCard, renderPlainQr } from "./render.js";
