import type { MerchantResolver } from "../jobs/merchants.js";
import type { MerchantContext } from "./context.js";

/**
 * The merchants this process serves: by id (the workers' rows) and by route key (a platform's webhook addresses).
 * Its size follows the merchants stored, never what requests ask for: an unknown key is a miss, not an entry.
 */
export interface MerchantRegistry {
  get(id: number): MerchantContext | undefined;
  byRouteKey(routeKey: string): MerchantContext | undefined;
  all(): readonly MerchantContext[];
  /** Serves `context`, replacing (and returning) the one it had under the same id. */
  put(context: MerchantContext): MerchantContext | undefined;
  /** Stops serving merchant `id`; returns what it served. */
  drop(id: number): MerchantContext | undefined;
  /** The workers' view: each merchant's part of type T. */
  resolver<T>(part: (context: MerchantContext) => T): MerchantResolver<T>;
  /** Tells `listener` of each merchant served from now on (put, a replacement included) and each dropped; returns its removal. */
  watch(listener: RegistryListener): () => void;
}

export interface RegistryListener {
  served(context: MerchantContext): void;
  dropped(id: number): void;
}

export function createMerchantRegistry(): MerchantRegistry {
  const byId = new Map<number, MerchantContext>();
  const byKey = new Map<string, number>();
  let ids: number[] = [];
  let list: MerchantContext[] = [];
  const listeners = new Set<RegistryListener>();
  const changed = () => {
    list = [...byId.values()];
    ids = list.map((c) => c.id);
  };
  const remove = (id: number) => {
    const context = byId.get(id);
    if (!context) return undefined;
    byId.delete(id);
    if (context.routeKey !== undefined && byKey.get(context.routeKey) === id) byKey.delete(context.routeKey);
    return context;
  };

  const registry: MerchantRegistry = {
    get: (id) => byId.get(id),
    byRouteKey(routeKey) {
      const id = byKey.get(routeKey);
      return id === undefined ? undefined : byId.get(id);
    },
    all: () => list,
    put(context) {
      const previous = remove(context.id);
      byId.set(context.id, context);
      if (context.routeKey !== undefined) byKey.set(context.routeKey, context.id);
      changed();
      for (const listener of listeners) listener.served(context);
      return previous;
    },
    drop(id) {
      const context = remove(id);
      if (!context) return undefined;
      changed();
      for (const listener of listeners) listener.dropped(id);
      return context;
    },
    resolver(part) {
      return { get: (id) => { const c = byId.get(id); return c && part(c); }, ids: () => ids };
    },
    watch(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
  return registry;
}
