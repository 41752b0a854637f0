// A small JSON codec for policy plugins, built to allocate little (every allocation costs a guest about as much
// as parsing a hundred bytes):
//
//  - a hook's input is tokenized in one pass into a reusable index (no allocation): a Field is the number of a
//    value in it, read with field(), str(), strings()... Strings are decoded only when read. Fields are valid
//    until the next hook call: copy what you keep (toValue);
//  - parse()/parseString() build a Value tree that lasts (the configuration init receives);
//  - Writer encodes an answer as UTF-8 into one buffer reused from call to call.

export enum Kind {
  Missing,
  Null,
  False,
  True,
  Number,
  String,
  Array,
  Object,
}

// ---- The token index of the current input -----------------------------------------------------------------

/** A value of the current hook's input (an index into the token table); MISSING_FIELD when absent. */
export type Field = i32;
export const MISSING_FIELD: Field = -1;

// Four i32 per token: kind (| ESCAPED), start and end byte offsets of its text from the input's base (inside
// the quotes for a string), and the index of the token after it and its children.
const ESCAPED = 0x100;
let toks = new StaticArray<i32>(4 * 512);
let ntoks = 0;
let base: usize = 0;
let end: usize = 0;
let pos: usize = 0;

const MAX_DEPTH = 128;

/** Thrown (env.abort: the host sees a trap) on input that is not JSON; the host never sends any. */
function fail(msg: string): void {
  throw new Error("json: " + msg + " at offset " + (pos - base).toString());
}

/** Tokenizes len bytes of JSON at ptr and returns its root field. */
export function tokenize(ptr: usize, len: i32): Field {
  base = ptr;
  end = ptr + <usize>len;
  pos = ptr;
  ntoks = 0;
  const root = tokValue(0);
  skipSpace();
  if (pos != end) fail("data after the value");
  return root;
}

function grow(): void {
  const bigger = new StaticArray<i32>(toks.length * 2);
  memory.copy(changetype<usize>(bigger), changetype<usize>(toks), <usize>toks.length << 2);
  toks = bigger;
}

// @ts-ignore: decorator
@inline function push(kind: i32, start: usize, stop: usize): i32 {
  const i = ntoks;
  if ((i + 1) * 4 > toks.length) grow();
  ntoks = i + 1;
  const t = changetype<usize>(toks) + (<usize>i << 4);
  store<i32>(t, kind);
  store<i32>(t, <i32>(start - base), 4);
  store<i32>(t, <i32>(stop - base), 8);
  store<i32>(t, i + 1, 12);
  return i;
}

// @ts-ignore: decorator
@inline function peek(): i32 {
  return pos < end ? <i32>load<u8>(pos) : -1;
}

// The scanning loops keep the position in a local: a module global lives in memory, a local in a register.
// @ts-ignore: decorator
@inline function skipSpace(): void {
  let p = pos;
  const e = end;
  while (p < e) {
    const c = load<u8>(p);
    if (c != 0x20 && c != 0x09 && c != 0x0a && c != 0x0d) break;
    p++;
  }
  pos = p;
}

function tokValue(depth: i32): i32 {
  if (depth > MAX_DEPTH) fail("nested too deep");
  skipSpace();
  const c = peek();
  if (c == 0x22) return tokString();
  if (c == 0x7b || c == 0x5b) {
    const obj = c == 0x7b;
    const i = push(obj ? Kind.Object : Kind.Array, pos, pos);
    pos++;
    skipSpace();
    if (peek() == (obj ? 0x7d : 0x5d)) {
      pos++;
    } else {
      while (true) {
        if (obj) {
          skipSpace();
          if (peek() != 0x22) fail("expected a member name");
          tokString();
          skipSpace();
          if (peek() != 0x3a) fail("expected ':'");
          pos++;
        }
        tokValue(depth + 1);
        skipSpace();
        const d = peek();
        pos++;
        if (d == 0x2c) continue;
        if (d == (obj ? 0x7d : 0x5d)) break;
        pos--;
        fail(obj ? "expected ',' or '}'" : "expected ',' or ']'");
      }
    }
    unchecked((toks[i * 4 + 2] = <i32>(pos - base)));
    unchecked((toks[i * 4 + 3] = ntoks));
    return i;
  }
  const start = pos;
  if (c == 0x2d || (c >= 0x30 && c <= 0x39)) {
    number();
    return push(Kind.Number, start, pos);
  }
  if (literal("true")) return push(Kind.True, start, pos);
  if (literal("false")) return push(Kind.False, start, pos);
  if (literal("null")) return push(Kind.Null, start, pos);
  fail("unexpected character");
  return -1;
}

function tokString(): i32 {
  const start = pos + 1; // past the quote
  const e = end;
  let p = start;
  let kind = Kind.String;
  while (p < e) {
    const c = load<u8>(p);
    if (c == 0x22) {
      const i = push(kind, start, p);
      pos = p + 1;
      return i;
    }
    if (c < 0x20) {
      pos = p;
      fail("control character in string");
    }
    if (c == 0x5c) {
      kind = Kind.String | ESCAPED;
      p++;
    }
    p++;
  }
  pos = p;
  fail("unterminated string");
  return -1;
}

function literal(s: string): bool {
  if (<usize>s.length > end - pos) return false;
  for (let i = 0; i < s.length; i++) {
    if (<i32>load<u8>(pos + <usize>i) != s.charCodeAt(i)) return false;
  }
  pos += <usize>s.length;
  return true;
}

function digits(): i32 {
  let p = pos;
  const e = end;
  while (p < e && load<u8>(p) >= 0x30 && load<u8>(p) <= 0x39) p++;
  const n = <i32>(p - pos);
  pos = p;
  return n;
}

function number(): void {
  if (peek() == 0x2d) pos++;
  if (peek() == 0x30) pos++;
  else if (digits() == 0) fail("bad number");
  if (peek() == 0x2e) {
    pos++;
    if (digits() == 0) fail("bad number");
  }
  if (peek() == 0x65 || peek() == 0x45) {
    pos++;
    if (peek() == 0x2b || peek() == 0x2d) pos++;
    if (digits() == 0) fail("bad number");
  }
}

/** The kind of a field. */
export function kindOf(f: Field): Kind {
  return f < 0 ? Kind.Missing : <Kind>(unchecked(toks[f * 4]) & 0xff);
}

/** Whether a string field's raw text equals s (ASCII fast path, no allocation). */
function rawEquals(f: Field, s: string): bool {
  const kind = unchecked(toks[f * 4]);
  const start = base + <usize>unchecked(toks[f * 4 + 1]);
  const n = unchecked(toks[f * 4 + 2]) - unchecked(toks[f * 4 + 1]);
  if (kind & ESCAPED) return decode(f) == s;
  if (n != s.length) {
    // Equal lengths are needed unless s has non-ASCII characters, which take more bytes in UTF-8.
    if (n < s.length) return false;
    for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return decode(f) == s;
    return false;
  }
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return decode(f) == s;
    if (<i32>load<u8>(start + <usize>i) != c) return false;
  }
  return true;
}

/** The member key of an object field, or MISSING_FIELD. */
export function field(obj: Field, key: string): Field {
  if (obj < 0) return MISSING_FIELD;
  const t = changetype<usize>(toks);
  if ((load<i32>(t + (<usize>obj << 4)) & 0xff) != Kind.Object) return MISSING_FIELD;
  const stop = load<i32>(t + (<usize>obj << 4), 12);
  const klen = key.length;
  const k = changetype<usize>(key);
  let i = obj + 1;
  while (i < stop) {
    const ti = t + (<usize>i << 4);
    const kind = load<i32>(ti);
    const start = load<i32>(ti, 4);
    const n = load<i32>(ti, 8) - start;
    if (!(kind & ESCAPED) && n == klen) {
      // The common case, compared in place: an ASCII key against unescaped text of the same length.
      const p = base + <usize>start;
      let j = 0;
      for (; j < n; j++) {
        const c = <i32>load<u16>(k + (<usize>j << 1));
        if (c >= 0x80 || <i32>load<u8>(p + <usize>j) != c) break;
      }
      if (j == n) return i + 1;
      if (<i32>load<u16>(k + (<usize>j << 1)) >= 0x80 && rawEquals(i, key)) return i + 1;
    } else if ((kind & ESCAPED || n > klen) && rawEquals(i, key)) {
      return i + 1;
    }
    i = load<i32>(t + (<usize>(i + 1) << 4), 12); // past the member's value
  }
  return MISSING_FIELD;
}

/** The items of an array field (empty for another kind). */
export function items(arr: Field): Field[] {
  const out = new Array<Field>();
  if (kindOf(arr) != Kind.Array) return out;
  const stop = unchecked(toks[arr * 4 + 3]);
  for (let i = arr + 1; i < stop; i = unchecked(toks[i * 4 + 3])) out.push(i);
  return out;
}

/** The member names of an object field, in order. */
export function keys(obj: Field): string[] {
  const out = new Array<string>();
  if (kindOf(obj) != Kind.Object) return out;
  const stop = unchecked(toks[obj * 4 + 3]);
  for (let i = obj + 1; i < stop; i = unchecked(toks[(i + 1) * 4 + 3])) out.push(decode(i));
  return out;
}

/** A string field's text, or "". */
export function str(f: Field): string {
  return kindOf(f) == Kind.String ? decode(f) : "";
}

/** Whether a field is true. */
export function isTrue(f: Field): bool {
  return kindOf(f) == Kind.True;
}

/** A number field as f64 (0 for another kind). */
export function num(f: Field): f64 {
  if (kindOf(f) != Kind.Number) return 0;
  return parseFloat(String.UTF8.decodeUnsafe(base + <usize>unchecked(toks[f * 4 + 1]), <usize>(unchecked(toks[f * 4 + 2]) - unchecked(toks[f * 4 + 1]))));
}

/** The string items of an array field; other items are skipped. */
export function strings(arr: Field): string[] {
  const out = new Array<string>();
  if (kindOf(arr) != Kind.Array) return out;
  const stop = unchecked(toks[arr * 4 + 3]);
  for (let i = arr + 1; i < stop; i = unchecked(toks[i * 4 + 3])) {
    if ((unchecked(toks[i * 4]) & 0xff) == Kind.String) out.push(decode(i));
  }
  return out;
}

/** Whether an array field holds the string s (no allocation for ASCII). */
export function contains(arr: Field, s: string): bool {
  if (kindOf(arr) != Kind.Array) return false;
  const stop = unchecked(toks[arr * 4 + 3]);
  for (let i = arr + 1; i < stop; i = unchecked(toks[i * 4 + 3])) {
    if ((unchecked(toks[i * 4]) & 0xff) == Kind.String && rawEquals(i, s)) return true;
  }
  return false;
}

/** A lasting copy of a field, as a Value. */
export function toValue(f: Field): Value {
  if (f < 0) return new Value();
  const start = base + <usize>unchecked(toks[f * 4 + 1]);
  const kind = kindOf(f);
  if (kind == Kind.String) {
    const v = new Value();
    v.kind = Kind.String;
    v.text = decode(f);
    return v;
  }
  return parse(start, <usize>(unchecked(toks[f * 4 + 2]) - unchecked(toks[f * 4 + 1])));
}

/** Decodes a string token: ASCII without escapes is widened in one pass, the rest goes through the slow path. */
function decode(f: Field): string {
  const kind = unchecked(toks[f * 4]);
  const start = base + <usize>unchecked(toks[f * 4 + 1]);
  const n = <usize>(unchecked(toks[f * 4 + 2]) - unchecked(toks[f * 4 + 1]));
  if (!(kind & ESCAPED)) {
    let ascii = true;
    for (let i: usize = 0; i < n; i++) {
      if (load<u8>(start + i) >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (!ascii) return String.UTF8.decodeUnsafe(start, n);
    const s = __new(n << 1, idof<String>());
    for (let i: usize = 0; i < n; i++) store<u16>(s + (i << 1), load<u8>(start + i));
    return changetype<string>(s);
  }
  const p = new Parser(start - 1, start + n + 1); // the quoted text, escapes and all
  return p.string();
}

// ---- Value: a lasting parsed tree --------------------------------------------------------------------------

/** A parsed JSON value that outlives the call (for configuration). A missing member is a Missing value. */
export class Value {
  kind: Kind = Kind.Missing;
  text: string = ""; // String: the text; Number: the number as written
  items: Value[] | null = null; // Array
  keys: string[] | null = null; // Object: member names, in order
  values: Value[] | null = null; // Object: member values

  /** The member key of an object, or Missing. */
  get(key: string): Value {
    const keys = this.keys;
    if (keys != null) {
      for (let i = 0; i < keys.length; i++) {
        if (keys[i] == key) return this.values![i];
      }
    }
    return MISSING;
  }

  /** Whether the value is present (a JSON null is). */
  exists(): bool {
    return this.kind != Kind.Missing;
  }

  /** A string's text, or "". */
  str(): string {
    return this.kind == Kind.String ? this.text : "";
  }

  /** Whether the value is true. */
  bool(): bool {
    return this.kind == Kind.True;
  }

  /** A number as f64 (0 for another kind). */
  num(): f64 {
    return this.kind == Kind.Number ? parseFloat(this.text) : 0;
  }

  /** The items of an array (empty for another kind). */
  list(): Value[] {
    const items = this.items;
    return items != null ? items : [];
  }

  /** The string items of an array; other items are skipped. */
  strings(): string[] {
    const out = new Array<string>();
    const items = this.items;
    if (items != null) {
      for (let i = 0; i < items.length; i++) {
        if (items[i].kind == Kind.String) out.push(items[i].text);
      }
    }
    return out;
  }
}

const MISSING = new Value();

/** Parses len bytes of UTF-8 JSON at ptr into a lasting Value. */
export function parse(ptr: usize, len: usize): Value {
  const p = new Parser(ptr, ptr + len);
  const v = p.value(0);
  p.space();
  if (p.pos != p.end) throw new Error("json: data after the value");
  return v;
}

/** Parses a string of JSON into a Value. */
export function parseString(s: string): Value {
  const buf = String.UTF8.encode(s);
  return parse(changetype<usize>(buf), <usize>buf.byteLength);
}

class Parser {
  pos: usize;
  constructor(public start: usize, public end: usize) {
    this.pos = start;
  }

  fail(msg: string): void {
    throw new Error("json: " + msg + " at offset " + (this.pos - this.start).toString());
  }

  peek(): i32 {
    return this.pos < this.end ? <i32>load<u8>(this.pos) : -1;
  }

  space(): void {
    while (this.pos < this.end) {
      const c = load<u8>(this.pos);
      if (c != 0x20 && c != 0x09 && c != 0x0a && c != 0x0d) return;
      this.pos++;
    }
  }

  value(depth: i32): Value {
    if (depth > MAX_DEPTH) this.fail("nested too deep");
    this.space();
    const c = this.peek();
    const v = new Value();
    if (c == 0x7b) {
      this.pos++;
      v.kind = Kind.Object;
      const keys = new Array<string>();
      const values = new Array<Value>();
      v.keys = keys;
      v.values = values;
      this.space();
      if (this.peek() == 0x7d) {
        this.pos++;
        return v;
      }
      while (true) {
        this.space();
        if (this.peek() != 0x22) this.fail("expected a member name");
        keys.push(this.string());
        this.space();
        if (this.peek() != 0x3a) this.fail("expected ':'");
        this.pos++;
        values.push(this.value(depth + 1));
        this.space();
        const d = this.peek();
        this.pos++;
        if (d == 0x2c) continue;
        if (d == 0x7d) return v;
        this.fail("expected ',' or '}'");
      }
    }
    if (c == 0x5b) {
      this.pos++;
      v.kind = Kind.Array;
      const items = new Array<Value>();
      v.items = items;
      this.space();
      if (this.peek() == 0x5d) {
        this.pos++;
        return v;
      }
      while (true) {
        items.push(this.value(depth + 1));
        this.space();
        const d = this.peek();
        this.pos++;
        if (d == 0x2c) continue;
        if (d == 0x5d) return v;
        this.fail("expected ',' or ']'");
      }
    }
    if (c == 0x22) {
      v.kind = Kind.String;
      v.text = this.string();
      return v;
    }
    const begin = this.pos;
    if (c == 0x2d || (c >= 0x30 && c <= 0x39)) {
      while (this.pos < this.end) {
        const d = load<u8>(this.pos);
        if (!((d >= 0x30 && d <= 0x39) || d == 0x2d || d == 0x2b || d == 0x2e || d == 0x65 || d == 0x45)) break;
        this.pos++;
      }
      v.kind = Kind.Number;
      v.text = String.UTF8.decodeUnsafe(begin, this.pos - begin);
      return v;
    }
    if (this.word("true")) v.kind = Kind.True;
    else if (this.word("false")) v.kind = Kind.False;
    else if (this.word("null")) v.kind = Kind.Null;
    else this.fail("unexpected character");
    return v;
  }

  word(s: string): bool {
    if (<usize>s.length > this.end - this.pos) return false;
    for (let i = 0; i < s.length; i++) {
      if (<i32>load<u8>(this.pos + <usize>i) != s.charCodeAt(i)) return false;
    }
    this.pos += <usize>s.length;
    return true;
  }

  /** A string at pos (its opening quote), escapes decoded. */
  string(): string {
    this.pos++; // "
    const begin = this.pos;
    while (this.pos < this.end) {
      const c = load<u8>(this.pos);
      if (c == 0x22) {
        const s = String.UTF8.decodeUnsafe(begin, this.pos - begin);
        this.pos++;
        return s;
      }
      if (c == 0x5c) break;
      if (c < 0x20) this.fail("control character in string");
      this.pos++;
    }
    let out = String.UTF8.decodeUnsafe(begin, this.pos - begin);
    while (this.pos < this.end) {
      const c = load<u8>(this.pos);
      if (c == 0x22) {
        this.pos++;
        return out;
      }
      if (c < 0x20) this.fail("control character in string");
      if (c != 0x5c) {
        const run = this.pos;
        while (this.pos < this.end) {
          const d = load<u8>(this.pos);
          if (d == 0x22 || d == 0x5c || d < 0x20) break;
          this.pos++;
        }
        out += String.UTF8.decodeUnsafe(run, this.pos - run);
        continue;
      }
      this.pos++; // backslash
      const e = this.peek();
      this.pos++;
      if (e == 0x22 || e == 0x5c || e == 0x2f) out += String.fromCharCode(e);
      else if (e == 0x62) out += "\b";
      else if (e == 0x66) out += "\f";
      else if (e == 0x6e) out += "\n";
      else if (e == 0x72) out += "\r";
      else if (e == 0x74) out += "\t";
      else if (e == 0x75) out += String.fromCharCode(this.hex4());
      else this.fail("bad escape");
    }
    this.fail("unterminated string");
    return out;
  }

  hex4(): i32 {
    let r = 0;
    for (let i = 0; i < 4; i++) {
      const c = this.peek();
      this.pos++;
      r <<= 4;
      if (c >= 0x30 && c <= 0x39) r |= c - 0x30;
      else if (c >= 0x61 && c <= 0x66) r |= c - 0x61 + 10;
      else if (c >= 0x41 && c <= 0x46) r |= c - 0x41 + 10;
      else this.fail("bad \\u escape");
    }
    return r; // surrogate halves stay code units: a pair of escapes makes a pair in the UTF-16 string
  }
}

// ---- Writer -------------------------------------------------------------------------------------------------

let sharedWriter: Writer | null = null;

/** Writer appends JSON as UTF-8 bytes to a growing buffer. */
export class Writer {
  buf: ArrayBuffer = new ArrayBuffer(512);
  len: i32 = 0;
  private depth: i32 = 0;
  private fresh: u64 = 0; // bit d: nothing written yet at nesting depth d

  /** The writer answers share: reset, its buffer reused from call to call (the host copies each answer). */
  static shared(): Writer {
    let w = sharedWriter;
    if (w == null) {
      w = new Writer();
      sharedWriter = w;
    }
    w.len = 0;
    w.depth = 0;
    w.fresh = 0;
    return w;
  }

  private room(n: i32): usize {
    if (this.len + n > this.buf.byteLength) {
      let size = this.buf.byteLength * 2;
      while (size < this.len + n) size *= 2;
      const bigger = new ArrayBuffer(size);
      memory.copy(changetype<usize>(bigger), changetype<usize>(this.buf), <usize>this.len);
      this.buf = bigger;
    }
    return changetype<usize>(this.buf) + <usize>this.len;
  }

  private byte(b: i32): void {
    store<u8>(this.room(1), <u8>b);
    this.len++;
  }

  private ascii(s: string): void {
    const p = this.room(s.length);
    for (let i = 0; i < s.length; i++) store<u8>(p + <usize>i, <u8>s.charCodeAt(i));
    this.len += s.length;
  }

  /** Before a value: the comma between items. */
  private sep(): void {
    if (this.depth == 0) return;
    const bit = (<u64>1) << <u64>(this.depth - 1);
    if (this.fresh & bit) this.fresh &= ~bit;
    else this.byte(0x2c);
  }

  private open(c: i32): void {
    this.sep();
    this.byte(c);
    this.depth++;
    if (this.depth > 64) throw new Error("json: nested too deep");
    this.fresh |= (<u64>1) << <u64>(this.depth - 1);
  }

  beginObject(): Writer {
    this.open(0x7b);
    return this;
  }

  endObject(): Writer {
    this.depth--;
    this.byte(0x7d);
    return this;
  }

  beginArray(): Writer {
    this.open(0x5b);
    return this;
  }

  endArray(): Writer {
    this.depth--;
    this.byte(0x5d);
    return this;
  }

  /** A member name; the value follows. */
  key(k: string): Writer {
    this.sep();
    this.quoted(k);
    this.byte(0x3a);
    this.fresh |= (<u64>1) << <u64>(this.depth - 1); // the value that follows takes no comma
    return this;
  }

  string(s: string): Writer {
    this.sep();
    this.quoted(s);
    return this;
  }

  bool(b: bool): Writer {
    this.sep();
    this.ascii(b ? "true" : "false");
    return this;
  }

  int(n: i64): Writer {
    this.sep();
    this.ascii(n.toString());
    return this;
  }

  null(): Writer {
    this.sep();
    this.ascii("null");
    return this;
  }

  strings(list: string[]): Writer {
    this.beginArray();
    for (let i = 0; i < list.length; i++) this.string(list[i]);
    return this.endArray();
  }

  /** A field of the current input, copied as it was written. */
  field(f: Field): Writer {
    if (f < 0) return this.null();
    this.sep();
    const kind = kindOf(f);
    let start = <usize>unchecked(toks[f * 4 + 1]);
    let stop = <usize>unchecked(toks[f * 4 + 2]);
    if (kind == Kind.String) {
      start--; // the quotes
      stop++;
    }
    const n = <i32>(stop - start);
    memory.copy(this.room(n), base + start, <usize>n);
    this.len += n;
    return this;
  }

  /** A lasting value, encoded. */
  value(v: Value): Writer {
    if (v.kind == Kind.String) return this.string(v.text);
    if (v.kind == Kind.Number) {
      this.sep();
      this.ascii(v.text);
      return this;
    }
    if (v.kind == Kind.True || v.kind == Kind.False) return this.bool(v.kind == Kind.True);
    if (v.kind == Kind.Array) {
      this.beginArray();
      const items = v.list();
      for (let i = 0; i < items.length; i++) this.value(items[i]);
      return this.endArray();
    }
    if (v.kind == Kind.Object) {
      this.beginObject();
      const keys = v.keys!;
      const values = v.values!;
      for (let i = 0; i < keys.length; i++) {
        this.key(keys[i]);
        this.value(values[i]);
      }
      return this.endObject();
    }
    return this.null();
  }

  /** s as a JSON string in UTF-8: quotes, backslashes and control characters escaped. */
  private quoted(s: string): void {
    const n = s.length;
    let p = this.room(n * 3 + 2); // the worst case but for escapes, which take room one at a time
    let i = 0;
    store<u8>(p++, 0x22);
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c == 0x22 || c == 0x5c || c >= 0x80) break;
      store<u8>(p++, <u8>c);
    }
    this.len = <i32>(p - changetype<usize>(this.buf));
    if (i < n) this.slowQuoted(s, i);
    this.byte(0x22);
  }

  private slowQuoted(s: string, from: i32): void {
    for (let i = from; i < s.length; i++) {
      let c = s.charCodeAt(i);
      if (c == 0x22 || c == 0x5c) {
        this.byte(0x5c);
        this.byte(c);
      } else if (c < 0x20) {
        this.ascii(c == 0x0a ? "\\n" : c == 0x0d ? "\\r" : c == 0x09 ? "\\t" : "\\u00" + (c < 0x10 ? "0" : "1") + "0123456789abcdef".charAt(c & 0xf));
      } else if (c < 0x80) {
        this.byte(c);
      } else if (c < 0x800) {
        this.byte(0xc0 | (c >> 6));
        this.byte(0x80 | (c & 0x3f));
      } else {
        if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
          const lo = s.charCodeAt(i + 1);
          if (lo >= 0xdc00 && lo < 0xe000) {
            const cp = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
            this.byte(0xf0 | (cp >> 18));
            this.byte(0x80 | ((cp >> 12) & 0x3f));
            this.byte(0x80 | ((cp >> 6) & 0x3f));
            this.byte(0x80 | (cp & 0x3f));
            i++;
            continue;
          }
        }
        if (c >= 0xd800 && c < 0xe000) c = 0xfffd; // a lone surrogate is not UTF-8
        this.byte(0xe0 | (c >> 12));
        this.byte(0x80 | ((c >> 6) & 0x3f));
        this.byte(0x80 | (c & 0x3f));
      }
    }
  }
}
