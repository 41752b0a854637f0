// The ABI's plumbing (docs/policy-abi.md, "WebAssembly binding"). A plugin's entry file re-exports these three:
//
//   export { assentry_abi_version, assentry_alloc, assentry_free } from "<sdk>/assembly/index";
//
// and exports its hooks, each `(ptr: usize, len: i32) => i64`, answering with respond().

import { Writer } from "./json";

/** The plugin ABI version this SDK speaks. */
export const ABI_VERSION: i32 = 1;

export function assentry_abi_version(): i32 {
  return ABI_VERSION;
}

/** The host's input buffer: unmanaged memory (the collector never moves or frees it), one per instance. */
export function assentry_alloc(len: i32): usize {
  return heap.alloc(<usize>len);
}

export function assentry_free(ptr: usize): void {
  heap.free(ptr);
}

// The buffer of the last answer stays reachable until the next call; the host copies it at once.
let output: ArrayBuffer = new ArrayBuffer(0);

/** Hands an answer to the host: (pointer << 32) | length of its UTF-8 bytes. */
export function respond(w: Writer): i64 {
  output = w.buf;
  return (<i64>changetype<usize>(output) << 32) | <i64>w.len;
}

/** Answers {} (what init answers when the configuration is fine). */
export function respondEmpty(): i64 {
  return respond(Writer.shared().beginObject().endObject());
}

/** Answers the ABI's plugin-declared error {"error": {"code", "description"}}. */
export function respondError(code: string, description: string): i64 {
  const w = Writer.shared();
  w.beginObject().key("error").beginObject().key("code").string(code);
  if (description.length > 0) w.key("description").string(description);
  w.endObject().endObject();
  return respond(w);
}

/** Log levels of assentry.log. */
export enum Level {
  Debug = 0,
  Info = 1,
  Warn = 2,
  Error = 3,
}

// @ts-ignore: decorator
@external("assentry", "log")
declare function hostLog(level: i32, ptr: usize, len: i32): void;

/** Writes msg to the host's log (capped by the host per call). */
export function log(level: Level, msg: string): void {
  const buf = String.UTF8.encode(msg);
  hostLog(<i32>level, changetype<usize>(buf), buf.byteLength);
}
