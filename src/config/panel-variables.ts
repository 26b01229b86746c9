/**
 * The panel's variables (every PANEL_TYPE reads the same ones): all belong to one merchant, and the API key is
 * a secret (kept encrypted in a platform's merchant store). PANEL_MAX_CONNECTIONS sizes this process's
 * connection pools, so it stays in the environment.
 */
export const PANEL_VARIABLES = {
  PANEL_TYPE: { secret: false },
  PANEL_URL: { secret: false },
  PANEL_API_KEY: { secret: true },
  PANEL_PAYMENT_METHOD: { secret: false },
  PANEL_CURRENCY: { secret: false },
} as const;
