package fixstore

import "bytes"

// RawField is the value after key (e.g. "\x0135=" for MsgType; "8=" for the
// BeginString at the start) in a raw FIX message as a store keeps it, or ""
// when the message has no such field.
func RawField(msg []byte, key string) string {
	i := bytes.Index(msg, []byte(key))
	if i < 0 {
		return ""
	}
	v := msg[i+len(key):]
	if j := bytes.IndexByte(v, 1); j >= 0 {
		v = v[:j]
	}
	return string(v)
}
