import type { Config, PanelType } from "../config/config.js";
import type { PanelClient } from "./panel-client.js";
import { PerfectPanelV1Client, type PerfectPanelV1Options } from "./perfectpanel-v1.js";
import { PerfectPanelV2Client } from "./perfectpanel-v2.js";
import type { SocPanelAmountFormat } from "./socpanel-api.js";
import { SocPanelClient } from "./socpanel.js";

/** Everything the program knows about one kind of panel (PANEL_TYPE); its variables are the shared PANEL_* (src/config/panel-variables.ts says which is secret). */
export interface PanelDescriptor {
  /** Its simulator in the sandbox (`sandbox/panels/<simulator>.ts`); a name only, as src/ imports nothing of the sandbox. */
  simulator: string;
  /** `common`: what every client takes (PerfectPanel v1 nothing more). */
  create(common: PerfectPanelV1Options, panel: Config["panel"], opts: { amountFormat?: SocPanelAmountFormat }): PanelClient;
}

/** One descriptor per PANEL_TYPE: a type added to PANEL_TYPES does not compile until it is described here. */
export const PANELS: Readonly<Record<PanelType, PanelDescriptor>> = {
  perfectpanel: { simulator: "perfectpanel-simulator", create: (common, panel) => new PerfectPanelV2Client({ ...common, paymentMethod: panel.paymentMethod }) },
  "perfectpanel-v1": { simulator: "perfectpanel-simulator", create: (common) => new PerfectPanelV1Client(common) },
  socpanel: { simulator: "socpanel-simulator", create: (common, _panel, opts) => new SocPanelClient({ ...common, amountFormat: opts.amountFormat }) },
};
