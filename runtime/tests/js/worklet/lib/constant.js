// Imported both by a worklet module and by the main test.
export const IMPORTED_LEVEL = 0.3125;
