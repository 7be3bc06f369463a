/**
 * @peculiar/x509 resolves its services through tsyringe, which refuses to load without the Reflect metadata API
 * (`reflect-metadata` or `@abraham/reflection`, neither a dependency here). Hand-written because only these four
 * functions are used and no package may be added in this tree; replace with `import 'reflect-metadata'` once that
 * package is a dependency. Must be imported before @peculiar/x509.
 */
type Target = object;
const store = new WeakMap<Target, Map<string | symbol | undefined, Map<unknown, unknown>>>();

function table(target: Target, property: string | symbol | undefined, create: boolean): Map<unknown, unknown> | undefined {
  let byProperty = store.get(target);
  if (byProperty === undefined) {
    if (!create) return undefined;
    byProperty = new Map();
    store.set(target, byProperty);
  }
  let t = byProperty.get(property);
  if (t === undefined && create) {
    t = new Map();
    byProperty.set(property, t);
  }
  return t;
}

const R = Reflect as unknown as Record<string, unknown>;
if (typeof R['getMetadata'] !== 'function') {
  const getOwnMetadata = (key: unknown, target: Target, property?: string | symbol) => table(target, property, false)?.get(key);
  const getMetadata = (key: unknown, target: Target, property?: string | symbol): unknown => {
    for (let t: Target | null = target; t !== null; t = Object.getPrototypeOf(t) as Target | null) {
      const v = table(t, property, false);
      if (v?.has(key)) return v.get(key);
    }
    return undefined;
  };
  R['defineMetadata'] = (key: unknown, value: unknown, target: Target, property?: string | symbol) => void table(target, property, true)!.set(key, value);
  R['getOwnMetadata'] = getOwnMetadata;
  R['getMetadata'] = getMetadata;
  R['hasOwnMetadata'] = (key: unknown, target: Target, property?: string | symbol) => table(target, property, false)?.has(key) ?? false;
  R['hasMetadata'] = (key: unknown, target: Target, property?: string | symbol) => getMetadata(key, target, property) !== undefined;
  R['metadata'] = (key: unknown, value: unknown) => (target: Target, property?: string | symbol) => void table(target, property, true)!.set(key, value);
}
export {};
