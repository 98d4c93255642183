package notify_test

import (
	"encoding/json"
	"strconv"
)

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
func itoa(n int64) string                 { return strconv.FormatInt(n, 10) }
