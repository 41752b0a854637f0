// Package lua is the gopher-lua policy engine (docs/policy-abi.md "Lua binding"): a plugin file returns a table
// {abi = 1, init = function(config, plugin) ... end, <hook> = function(req) ... end}; each hook gets its JSON
// input as a Lua table (JSON null becomes json.null) and returns its decision as a table, which is converted to JSON
// against the hook's Go type (so an empty table is [] where the decision has an array, {} where it has an
// object; in free-form members such as claims, a sequence is an array and an empty table is {}, as Lua JSON
// libraries do by default). A returned table with an "error" member that is a table is a declared error.
//
// Sandbox: the base library without dofile, loadfile, load, loadstring, require, module, print,
// collectgarbage (and without getfenv, setfenv, newproxy, _printregs, which would reach the shared global
// table), plus string, table and math (without math.randomseed and string.dump); no os, io, package, debug,
// coroutine or channel. The host API is assentry.log(level, msg). The chunk is compiled once per plugin version
// and run in each pooled state (states are per host and plugin version, since init receives a host's config).
// Globals set while the chunk and init run form a read-only base; each hook call runs in a fresh environment
// that reads through to it, so a global set in one call is gone in the next. The library tables, the string
// metatable and the environment are read-only (rawset, setmetatable, table.insert/remove on them are refused;
// pairs over a library table lists nothing).
// Module-level locals are upvalues shared by the calls of one state, as in any Lua program: a plugin must not
// keep request data in them.
//
// Limits: a deadline per call (LState.SetContext, checked at every VM instruction and inside the pattern
// functions), call-stack and registry caps, an input size cap, and replacements for string.rep, find, match,
// gmatch, gsub and table.concat that refuse strings over a length cap and, for patterns, honour the deadline
// (gopher-lua cannot interrupt its own Go builtins). A state whose call failed is closed, never pooled.
//
// Trust model: Lua plugins are the operator's own code. gopher-lua cannot cap a state's memory, nor interrupt a
// single long string concatenation (a .. b), so a hostile script can still exhaust memory within its deadline;
// only WebAssembly plugins are safe for third-party code.
//
// It imports policy and gopher-lua, and nothing from core.
package lua
