/** The card shows the amount apart from its currency code. */
export { formatAmountParts as formatCardAmount } from "../../money/money.js";
export type { KhqrCardInput } from "./card-svg.js";
export { renderKhqrCard, renderPlainQr } from "./render.js";
