/** fengari ships no types; the runtime uses its C-like API through these handles. */
declare module 'fengari' {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const fengari: any;
  export default fengari;
}
