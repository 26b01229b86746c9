// The parts of NBC's SDK (bakong-khqr 1.0.20, untyped CommonJS) that the differential test uses.
declare module "bakong-khqr" {
  interface OptionalData {
    currency?: number;
    amount?: number;
    accountInformation?: string;
    acquiringBank?: string;
    billNumber?: string;
    mobileNumber?: string;
    storeLabel?: string;
    terminalLabel?: string;
    purposeOfTransaction?: string;
    languagePreference?: string;
    merchantNameAlternateLanguage?: string;
    merchantCityAlternateLanguage?: string;
    expirationTimestamp?: number;
    merchantCategoryCode?: string;
  }

  interface Response<T> {
    status: { code: number; errorCode: number | null; message: string | null };
    data: T | null;
  }

  export class IndividualInfo {
    constructor(bakongAccountID: string, merchantName: string, merchantCity: string, optional?: OptionalData);
  }

  export class MerchantInfo extends IndividualInfo {
    constructor(
      bakongAccountID: string,
      merchantName: string,
      merchantCity: string,
      merchantID: string,
      acquiringBank: string,
      optional?: OptionalData,
    );
  }

  export class BakongKHQR {
    generateIndividual(info: IndividualInfo): Response<{ qr: string; md5: string }>;
    generateMerchant(info: MerchantInfo): Response<{ qr: string; md5: string }>;
    static verify(qr: string): { isValid: boolean };
  }

  export const khqrData: { currency: { usd: number; khr: number } };
}
