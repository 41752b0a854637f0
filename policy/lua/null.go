package lua

import glua "github.com/yuin/gopher-lua"

// json.null (docs/policy-abi.md "Lua binding", "Values") is the value of JSON null: a null in the input arrives as
// json.null (not nil, which a table cannot hold), and json.null in a free-form member of a decision is encoded as
// null, so that a metadata_patch or a claims answer can remove a member.

// jsonNull is the Go value inside the json.null userdata. Plugins cannot make userdata (newproxy is not in the
// sandbox), so a userdata holding it is always the sentinel.
type jsonNull struct{}

// isNull reports whether v is a state's json.null.
func isNull(v glua.LValue) bool {
	ud, ok := v.(*glua.LUserData)
	if !ok {
		return false
	}
	_, ok = ud.Value.(jsonNull)
	return ok
}

// newNull makes the state's json.null: a userdata with a locked metatable that prints as "null".
func (s *state) newNull() *glua.LUserData {
	L := s.L
	ud := L.NewUserData()
	ud.Value = jsonNull{}
	mt := s.lockedMT()
	mt.RawSetString("__tostring", L.NewFunction(func(L *glua.LState) int {
		L.Push(glua.LString("null"))
		return 1
	}))
	ud.Metatable = mt
	return ud
}
