// WebAssembly.Table from JS, checked the same way on the main thread and in
// an AudioWorklet scope. Imported by webassembly_table_test.js and by
// worklet/wasm_tables.js.
//
// The module, assembled by hand:
//   (type $ii (func (param i32) (result i32)))
//   (table $t (export "table") 2 funcref)
//   (table $e (export "ext") 1 externref)
//   (func $add1 (export "add1") (type $ii) (i32.add (local.get 0) (i32.const 1)))
//   (func $double (type $ii) (i32.mul (local.get 0) (i32.const 2)))
//   (func (export "callAt") (type $ii)
//     (call_indirect $t (type $ii) (i32.const 10) (local.get 0)))
//   (elem (table $t) (i32.const 0) func $add1 $double)
//   (func (export "id") (param externref) (result externref) (local.get 0))
export const TABLES_MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  // types: [i32] -> [i32], [externref] -> [externref]
  0x01, 0x0b, 0x02, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x60, 0x01, 0x6f, 0x01, 0x6f,
  // functions: add1, double, callAt (type 0), id (type 1)
  0x03, 0x05, 0x04, 0x00, 0x00, 0x00, 0x01,
  // tables: funcref min 2, externref min 1
  0x04, 0x07, 0x02, 0x70, 0x00, 0x02, 0x6f, 0x00, 0x01,
  // exports: table, ext, add1, callAt, id
  0x07, 0x24, 0x05,
  0x05, 0x74, 0x61, 0x62, 0x6c, 0x65, 0x01, 0x00,
  0x03, 0x65, 0x78, 0x74, 0x01, 0x01,
  0x04, 0x61, 0x64, 0x64, 0x31, 0x00, 0x00,
  0x06, 0x63, 0x61, 0x6c, 0x6c, 0x41, 0x74, 0x00, 0x02,
  0x02, 0x69, 0x64, 0x00, 0x03,
  // elements: table 0 at offset 0 = [add1, double]
  0x09, 0x08, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x02, 0x00, 0x01,
  // code
  0x0a, 0x20, 0x04,
  0x07, 0x00, 0x20, 0x00, 0x41, 0x01, 0x6a, 0x0b,
  0x07, 0x00, 0x20, 0x00, 0x41, 0x02, 0x6c, 0x0b,
  0x09, 0x00, 0x41, 0x0a, 0x20, 0x00, 0x11, 0x00, 0x00, 0x0b,
  0x04, 0x00, 0x20, 0x00, 0x0b,
]);

/** What JS observes of the module's tables, as lines of text. */
export async function tableObservations() {
  const { instance } = await WebAssembly.instantiate(TABLES_MODULE);
  const { table, ext, add1, callAt, id } = instance.exports;
  const lines = [];
  const see = (label, f) => {
    try {
      lines.push(`${label}: ${String(f())}`);
    } catch (e) {
      lines.push(`${label}: ${e.constructor.name}`);
    }
  };
  see("funcref length", () => table.length);
  see("get(0) is a function", () => typeof table.get(0) === "function");
  see("get(0)(41)", () => table.get(0)(41));
  see("get(1)(21)", () => table.get(1)(21));
  see("get(0) is stable", () => table.get(0) === table.get(0));
  see("callAt(1)", () => callAt(1));
  see("grow(2)", () => table.grow(2));
  see("length after grow", () => table.length);
  see("new slot", () => table.get(3));
  see("set(3, add1)", () => table.set(3, add1));
  see("callAt(3)", () => callAt(3));
  see("get(3) is add1", () => table.get(3) === add1);
  see("set(0, get(1))", () => table.set(0, table.get(1)));
  see("callAt(0)", () => callAt(0));
  see("set(1, null)", () => table.set(1, null));
  see("callAt(1) of null", () => callAt(1));
  see("get(4)", () => table.get(4));
  see("get(-1)", () => table.get(-1));
  see("set(0, a JS function)", () => table.set(0, () => 1));
  see("grow(2 ** 32)", () => table.grow(2 ** 32));
  see("externref length", () => ext.length);
  const object = { name: "held" };
  see("externref set", () => ext.set(0, object));
  see("externref get", () => ext.get(0) === object);
  see("externref grow(2, 'x')", () => ext.grow(2, "x"));
  see("externref length after grow", () => ext.length);
  see("externref new slots", () => `${ext.get(1)} ${ext.get(2)}`);
  see("externref grow(1)", () => ext.grow(1));
  see("externref default slot", () => ext.get(3));
  see("id(object)", () => id(object) === object);
  see("id(null)", () => id(null));
  return lines;
}

/** What `tableObservations` gives where WebAssembly.Table works. */
export const EXPECTED_TABLE_OBSERVATIONS = [
  "funcref length: 2",
  "get(0) is a function: true",
  "get(0)(41): 42",
  "get(1)(21): 42",
  "get(0) is stable: true",
  "callAt(1): 20",
  "grow(2): 2",
  "length after grow: 4",
  "new slot: null",
  "set(3, add1): undefined",
  "callAt(3): 11",
  "get(3) is add1: true",
  "set(0, get(1)): undefined",
  "callAt(0): 20",
  "set(1, null): undefined",
  "callAt(1) of null: RuntimeError",
  "get(4): RangeError",
  "get(-1): TypeError",
  "set(0, a JS function): TypeError",
  "grow(2 ** 32): TypeError",
  "externref length: 1",
  "externref set: undefined",
  "externref get: true",
  "externref grow(2, 'x'): 1",
  "externref length after grow: 3",
  "externref new slots: x x",
  "externref grow(1): 3",
  "externref default slot: undefined",
  "id(object): true",
  "id(null): null",
];
