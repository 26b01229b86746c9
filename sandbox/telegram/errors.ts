/** A Bot API failure, answered as `{ ok: false, error_code, description, parameters? }`. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
    readonly parameters?: { retry_after?: number },
  ) {
    super(description);
  }

  toJSON() {
    return {
      ok: false as const,
      error_code: this.code,
      description: this.description,
      ...(this.parameters ? { parameters: this.parameters } : {}),
    };
  }
}

export const badRequest = (what: string) => new ApiError(400, `Bad Request: ${what}`);
export const forbidden = (what: string) => new ApiError(403, `Forbidden: ${what}`);

export const tooManyRequests = (retryAfter: number) =>
  new ApiError(429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });

/** Error a fault switch produces for a given status. */
export function faultError(status: number, retryAfter = 1): ApiError {
  if (status === 429) return tooManyRequests(retryAfter);
  if (status >= 500) return new ApiError(status, "Internal Server Error");
  return new ApiError(status, status === 400 ? "Bad Request: injected fault" : "Injected fault");
}
