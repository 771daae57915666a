// Global properties a browser does not have that an engine may define: its
// helpers, its `gc`, QuickJS's InternalError, the ShadowRealm proposal and
// the Temporal polyfill's registered symbols.
export function engineGlobals(global) {
  const names = Object.getOwnPropertyNames(global).filter((name) =>
    name.startsWith("__") || ["gc", "InternalError", "ShadowRealm"].includes(name)
  );
  const symbols = Object.getOwnPropertySymbols(global)
    .map((symbol) => symbol.description)
    .filter((description) => description?.startsWith("@@"));
  return [...names, ...symbols];
}
