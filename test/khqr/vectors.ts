import type { KhqrErrorCode } from "../../src/khqr/index.js";

/** Strings from shared/docs/khqr-bakong.md and the provider seeds, with what each must do. */
export interface Vector {
  name: string;
  qr: string;
  md5?: string;
  /** Error code from validateKhqr with the real clock, or "ok". */
  validates: "ok" | KhqrErrorCode;
}

export const VECTORS: readonly Vector[] = [
  {
    name: "individual static USD (Lucky Supermarket)",
    qr: "00020101021129170013merchant@nbcq5204599953038405802KH5917Lucky Supermarket6010Phnom Penh6304FBE4",
    validates: "ok",
  },
  {
    name: "merchant static KHR with mobile (jonhsmith, Siem Reap)",
    qr: "00020101021130400014jonhsmith@nbcq01061234560208Dev Bank5204599953031165802KH5910Jonh Smith6009Siem Reap621502118551234567863048C75",
    validates: "ok",
  },
  {
    name: "real ACLEDA QR with unknown tag 61",
    qr: "00020101021130470009khqr@aclb0111855124649170215ACLEDA Bank Plc5204599953038405802KH5907BUN MAO6010Phnom Penh6102126213020901050033164310002KM0107BUN MAO0210Phnom Penh6304E313",
    validates: "ok",
  },
  {
    name: "CRC valid, MCC 1A2B not numeric",
    qr: "00020101021129180014jonhsmith@nbcq52041A2B53031165802KH5910Jonh Smith6010Phnom Penh6304F7FD",
    validates: "INVALID_MCC",
  },
  {
    name: "dynamic KHR, every additional field, Chinese alternate language (Ishin Vin)",
    qr: "00020101021229420013ishinvin@devb01090123456780208Dev Bank5204599953031165405100005802KH5909Ishin Vin6010Phnom Penh62680114INV-2022-12-250211855123456780310Ishin Shop07060123450807Payment64180002ZH0102文山0202金边99340013175507623233601131755076292336630416C4",
    md5: "922a409e0f8784858f644bf912c132b0",
    validates: "EXPIRED",
  },
  {
    name: "dynamic KHR 500 (jonhsmith)",
    qr: "00020101021229180014jonhsmith@nbcq52045999530311654035005802KH5910Jonh Smith6010PHNOM PENH993400131742250594187011317422506541846304EA38",
    md5: "838f6d998f6d700c42391aab5c5be555",
    validates: "EXPIRED",
  },
  {
    name: "dynamic USD with Khmer alternate language (John Smith)",
    qr: "00020101021229460015john_smith@devb0111855122334550208Dev Bank52045999530384054031005802KH5910John Smith6010PHNOM PENH62670106#123450211855122334550311Coffee Shop0709Cashier_10810Buy coffee64280002km0108ចន ស្មីន0206ភ្នំពញ993400131726821915797011317268220357976304B73E",
    validates: "EXPIRED",
  },
  {
    name: "ABA PayWay example (seed 003)",
    qr: "00020101021230510016abaakhppxxx@abaa01151250212145328460208ABA Bank52045987530311654031005802KH5925OLD ME 25 CHAR WINNER IP26010Phnom Penh62570115MC-REF-KH-1500068340010PAYWAY@ABA0208104514230604A2279934001317598053453370113175980552533763049FBD",
    validates: "EXPIRED",
  },
  {
    name: "KESS generateKhqr, static with a creation timestamp only (seed 002)",
    qr: "00020101021129490009khqr@kess01090000249240219Kess Innovation Plc5204599953038405802KH5910Bunna Roth6010Phnom Penh62130209015703635991700131738910956926630400AA",
    md5: "bf6ce95e56672e6991d3bd42af8f481a",
    validates: "ok",
  },
  {
    // KESS's own wallet QR: tag 30 carries only "KESSKH" (no @bank, merchant id or bank) and no expiry.
    name: "KESS nativePay (seed 002)",
    qr: "00020101021230100006KESSKH5204000053038405402105802KH5919KESS INNOVATION PLC6010Phnom Penh6236012444816b39953515cd6262b1870304test630448F7",
    validates: "INVALID_ACCOUNT",
  },
];

export function vector(name: string): string {
  const found = VECTORS.find((v) => v.name.startsWith(name));
  if (!found) throw new Error(`no vector ${name}`);
  return found.qr;
}
