// The hooks' inputs, read lazily from the current input's token index (a getter decodes its field when it is
// read: read each once into a local), and their decisions with a json() method writing the shared Writer
// (docs/policy-abi.md "Hooks"). An input is valid during its hook call only. Unknown input members are ignored.

import { Field, Kind, Value, Writer, contains, isTrue, field, kindOf, num, str, strings, toValue, tokenize } from "./json";

/** Decisions. */
export const ACCEPT = "accept";
export const REJECT = "reject";
export const APPROVE = "approve";
export const DENY = "deny";
export const ASK = "ask";

/** The envelope every input carries. */
export class Envelope {
  constructor(public raw: Field) {}
  get abi(): i32 {
    return <i32>num(field(this.raw, "abi"));
  }
  get hook(): string {
    return str(field(this.raw, "hook"));
  }
  get requestID(): string {
    return str(field(this.raw, "request_id"));
  }
  /** Unix seconds: use it, the guest's clock is not the time. */
  get now(): i64 {
    return <i64>num(field(this.raw, "now"));
  }
  get host(): string {
    return str(field(this.raw, "host"));
  }
  /** Any other member of the input. */
  field(name: string): Field {
    return field(this.raw, name);
  }
}

export class User {
  constructor(public raw: Field) {}
  get sub(): string {
    return str(field(this.raw, "sub"));
  }
  get username(): string {
    return str(field(this.raw, "username"));
  }
  get roles(): string[] {
    return strings(field(this.raw, "roles"));
  }
  get groups(): string[] {
    return strings(field(this.raw, "groups"));
  }
  get email(): string {
    return str(field(this.raw, "email"));
  }
  get emailVerified(): bool {
    return isTrue(field(this.raw, "email_verified"));
  }
  /** Whether the user has a role (no allocation). */
  hasRole(role: string): bool {
    return contains(field(this.raw, "roles"), role);
  }
  /** Whether the user is in a group (no allocation). */
  inGroup(group: string): bool {
    return contains(field(this.raw, "groups"), group);
  }
}

export class Client {
  constructor(public raw: Field) {}
  get clientID(): string {
    return str(field(this.raw, "client_id"));
  }
  get clientName(): string {
    return str(field(this.raw, "client_name"));
  }
  get clientURI(): string {
    return str(field(this.raw, "client_uri"));
  }
  get logoURI(): string {
    return str(field(this.raw, "logo_uri"));
  }
  get tosURI(): string {
    return str(field(this.raw, "tos_uri"));
  }
  get policyURI(): string {
    return str(field(this.raw, "policy_uri"));
  }
  get allowedScopes(): string[] {
    return strings(field(this.raw, "allowed_scopes"));
  }
}

/** The input of assentry_init. */
export class InitInput extends Envelope {
  constructor(ptr: usize, len: i32) {
    super(tokenize(ptr, len));
  }
  get pluginName(): string {
    return str(field(field(this.raw, "plugin"), "name"));
  }
  /** The host's config of this plugin, as a lasting Value. */
  get config(): Value {
    return toValue(field(this.raw, "config"));
  }
}

export class ConsentInput extends Envelope {
  constructor(ptr: usize, len: i32) {
    super(tokenize(ptr, len));
  }
  get user(): User {
    return new User(field(this.raw, "user"));
  }
  get client(): Client {
    return new Client(field(this.raw, "client"));
  }
  get requestedScopes(): string[] {
    return strings(field(this.raw, "requested_scopes"));
  }
  get grantedScopes(): string[] {
    return strings(field(this.raw, "granted_scopes"));
  }
  /** Whether a scope was requested (no allocation). */
  requests(scope: string): bool {
    return contains(field(this.raw, "requested_scopes"), scope);
  }
  get previouslyConsented(): bool {
    return isTrue(field(this.raw, "previously_consented"));
  }
  get prompt(): string {
    return str(field(this.raw, "prompt"));
  }
}

/** A consent decision: approve (remember: -1 unset, 0 false, 1 true), deny, or ask with page data. */
export class ConsentOutput {
  remember: i32 = -1;
  errorDescription: string = "";
  template: string = "";
  notices: string[] = [];
  scopeKeys: string[] = [];
  scopeTexts: string[] = [];
  constructor(public decision: string) {}

  /** Adds a description of a scope to the consent page (ask). */
  describe(scope: string, text: string): ConsentOutput {
    this.scopeKeys.push(scope);
    this.scopeTexts.push(text);
    return this;
  }

  json(): Writer {
    const w = Writer.shared();
    w.beginObject().key("decision").string(this.decision);
    if (this.remember >= 0) w.key("remember").bool(this.remember == 1);
    if (this.errorDescription.length > 0) w.key("error_description").string(this.errorDescription);
    if (this.decision == ASK && (this.template.length > 0 || this.notices.length > 0 || this.scopeKeys.length > 0)) {
      w.key("page").beginObject();
      if (this.template.length > 0) w.key("template").string(this.template);
      if (this.scopeKeys.length > 0) {
        w.key("scope_descriptions").beginObject();
        for (let i = 0; i < this.scopeKeys.length; i++) w.key(this.scopeKeys[i]).string(this.scopeTexts[i]);
        w.endObject();
      }
      if (this.notices.length > 0) w.key("notices").strings(this.notices);
      w.endObject();
    }
    return w.endObject();
  }
}

export class ScopePolicyInput extends Envelope {
  constructor(ptr: usize, len: i32) {
    super(tokenize(ptr, len));
  }
  get flow(): string {
    return str(field(this.raw, "flow"));
  }
  /** The user, or null (client_credentials). */
  get user(): User | null {
    const u = field(this.raw, "user");
    return kindOf(u) == Kind.Object ? new User(u) : null;
  }
  get client(): Client {
    return new Client(field(this.raw, "client"));
  }
  get requestedScopes(): string[] {
    return strings(field(this.raw, "requested_scopes"));
  }
  get grantedScopes(): string[] {
    return strings(field(this.raw, "granted_scopes"));
  }
  /** The resource indicators (RFC 8707) so far; empty when the request named none. */
  get resource(): string[] {
    return strings(field(this.raw, "resource"));
  }
}

/** A scope decision: the scopes to keep and why others were removed. */
export class ScopePolicyOutput {
  deniedScopes: string[] = [];
  deniedReasons: string[] = [];
  /** The resources to keep (granted_resources); null leaves them, an empty list refuses (invalid_target). */
  grantedResources: string[] | null = null;
  constructor(public grantedScopes: string[]) {}

  deny(scope: string, reason: string): ScopePolicyOutput {
    this.deniedScopes.push(scope);
    this.deniedReasons.push(reason);
    return this;
  }

  json(): Writer {
    const w = Writer.shared();
    w.beginObject().key("granted_scopes").strings(this.grantedScopes);
    if (this.deniedScopes.length > 0) {
      w.key("denied").beginArray();
      for (let i = 0; i < this.deniedScopes.length; i++) {
        w.beginObject().key("scope").string(this.deniedScopes[i]);
        if (this.deniedReasons[i].length > 0) w.key("reason").string(this.deniedReasons[i]);
        w.endObject();
      }
      w.endArray();
    }
    const resources = this.grantedResources;
    if (resources !== null) w.key("granted_resources").strings(resources);
    return w.endObject();
  }
}

export class MapRolesInput extends Envelope {
  constructor(ptr: usize, len: i32) {
    super(tokenize(ptr, len));
  }
  get user(): User {
    return new User(field(this.raw, "user"));
  }
  /** The client, or null (at login). */
  get client(): Client | null {
    const c = field(this.raw, "client");
    return kindOf(c) == Kind.Object ? new Client(c) : null;
  }
  get roles(): string[] {
    return strings(field(this.raw, "roles"));
  }
}

/** A map_roles decision: the new role list, and claims added with claim(name).<value>. Build it last: it
 * writes the shared Writer as it goes. */
export class MapRolesOutput {
  private w: Writer;
  private claims: i32 = 0;
  constructor(roles: string[]) {
    this.w = Writer.shared();
    this.w.beginObject().key("roles").strings(roles);
  }

  /** Starts a claim: write its value with the returned Writer (.string(), .strings(), .field(), ...). */
  claim(name: string): Writer {
    if (this.claims++ == 0) this.w.key("claims").beginObject();
    return this.w.key(name);
  }

  json(): Writer {
    if (this.claims > 0) this.w.endObject();
    return this.w.endObject();
  }
}

export class ClaimsInput extends Envelope {
  constructor(ptr: usize, len: i32) {
    super(tokenize(ptr, len));
  }
  get user(): User {
    return new User(field(this.raw, "user"));
  }
  get client(): Client {
    return new Client(field(this.raw, "client"));
  }
  get scopes(): string[] {
    return strings(field(this.raw, "scopes"));
  }
  /** Whether a scope was granted (no allocation). */
  hasScope(scope: string): bool {
    return contains(field(this.raw, "scopes"), scope);
  }
  get target(): string {
    return str(field(this.raw, "target"));
  }
}

/** A claims decision: claims added with claim(name).<value>. Build it last: it writes the shared Writer as it
 * goes. */
export class ClaimsOutput {
  private w: Writer;
  constructor() {
    this.w = Writer.shared();
    this.w.beginObject().key("claims").beginObject();
  }

  /** Starts a claim: write its value with the returned Writer (.string(), .strings(), .field(), ...). */
  claim(name: string): Writer {
    return this.w.key(name);
  }

  json(): Writer {
    return this.w.endObject().endObject();
  }
}

export class ValidateRegistrationInput extends Envelope {
  constructor(ptr: usize, len: i32) {
    super(tokenize(ptr, len));
  }
  get operation(): string {
    return str(field(this.raw, "operation"));
  }
  /** The metadata document's URL when operation is "metadata_document"; "" for a registration. */
  get clientId(): string {
    return str(field(this.raw, "client_id"));
  }
  /** The client metadata (RFC 7591 + OIDC, normalised): read members with field() and str(). */
  get metadata(): Field {
    return field(this.raw, "metadata");
  }
  get authKind(): string {
    return str(field(field(this.raw, "auth"), "kind"));
  }
  get remoteAddr(): string {
    return str(field(field(this.raw, "request"), "remote_addr"));
  }
  get userAgent(): string {
    return str(field(field(this.raw, "request"), "user_agent"));
  }
}

/** A validate_registration decision: accept (with an optional metadata patch) or reject with an RFC 7591
 * error. Build it last: a patch writes the shared Writer as it goes. */
export class ValidateRegistrationOutput {
  error: string = "";
  errorDescription: string = "";
  private patch: Writer | null = null;
  constructor(public decision: string) {}

  /** Starts a member of metadata_patch: write its value with the returned Writer. */
  patchField(name: string): Writer {
    let p = this.patch;
    if (p == null) {
      p = Writer.shared();
      p.beginObject().key("decision").string(this.decision).key("metadata_patch").beginObject();
      this.patch = p;
    }
    return p.key(name);
  }

  json(): Writer {
    let w = this.patch;
    if (w != null) w.endObject();
    else w = Writer.shared().beginObject().key("decision").string(this.decision);
    if (this.error.length > 0) w.key("error").string(this.error);
    if (this.errorDescription.length > 0) w.key("error_description").string(this.errorDescription);
    return w.endObject();
  }
}

/** Whether list contains s. */
export function has(list: string[], s: string): bool {
  for (let i = 0; i < list.length; i++) if (list[i] == s) return true;
  return false;
}

/** The host of an http or https URL ("https://a.example:8443/x" gives "a.example"), lower-cased, or "". */
export function urlHost(url: string): string {
  const lower = url.toLowerCase();
  let rest: string;
  if (lower.startsWith("https://")) rest = url.substring(8);
  else if (lower.startsWith("http://")) rest = url.substring(7);
  else return "";
  let end = rest.length;
  for (let i = 0; i < rest.length; i++) {
    const c = rest.charCodeAt(i);
    if (c == 0x2f || c == 0x3f || c == 0x23) {
      end = i;
      break;
    }
  }
  rest = rest.substring(0, end);
  const at = rest.lastIndexOf("@");
  if (at >= 0) rest = rest.substring(at + 1);
  if (rest.startsWith("[")) {
    const close = rest.indexOf("]");
    return close > 0 ? rest.substring(0, close + 1).toLowerCase() : "";
  }
  const colon = rest.indexOf(":");
  if (colon >= 0) rest = rest.substring(0, colon);
  return rest.toLowerCase();
}
