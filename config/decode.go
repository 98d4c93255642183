package config

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"time"
)

var durationType = reflect.TypeFor[time.Duration]()

// decodeHook converts a value from any source to the type of its field,
// with the same rules whether it came from the file (typed YAML), the
// environment or a flag (text): text is parsed strictly, numbers must fit,
// and nothing else is coerced. A duration needs a unit ("5s", "250ms");
// only 0 may go without.
func decodeHook(_, to reflect.Type, data any) (any, error) {
	if data == nil {
		return nil, nil
	}
	switch {
	case to == durationType:
		return toDuration(data)
	case to.Kind() == reflect.Struct:
		if !isMap(data) {
			return nil, fmt.Errorf("expected a section of keys, got %s", describe(data))
		}
	case to.Kind() == reflect.String:
		if _, ok := data.(string); !ok {
			return nil, fmt.Errorf("expected a string, got %s", describe(data))
		}
	case to.Kind() == reflect.Int:
		return toInt(data, to)
	case to.Kind() == reflect.Bool:
		return toBool(data)
	}
	return data, nil
}

// toDuration converts a duration, a text such as "5s", or the number 0.
func toDuration(data any) (any, error) {
	switch d := data.(type) {
	case time.Duration:
		return d, nil
	case string:
		v, err := time.ParseDuration(d)
		if err != nil {
			return nil, fmt.Errorf("%q is not a duration (write e.g. \"5s\" or \"250ms\")", d)
		}
		return v, nil
	}
	if n, err := toInt(data, reflect.TypeFor[int64]()); err == nil && n.(int64) == 0 {
		return time.Duration(0), nil
	}
	return nil, fmt.Errorf("%s is not a duration: give a unit (write e.g. \"5s\" or \"250ms\")", describe(data))
}

// toInt converts an integer, a whole float or a decimal text to type to.
func toInt(data any, to reflect.Type) (any, error) {
	v := reflect.ValueOf(data)
	var n int64
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n = v.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if v.Uint() > math.MaxInt64 {
			return nil, fmt.Errorf("%d is too large", v.Uint())
		}
		n = int64(v.Uint())
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if f != math.Trunc(f) || f < math.MinInt64 || f >= math.MaxInt64 {
			return nil, fmt.Errorf("%v is not an integer", f)
		}
		n = int64(f)
	case reflect.String:
		var err error
		if n, err = strconv.ParseInt(v.String(), 10, 64); err != nil {
			return nil, fmt.Errorf("%q is not an integer", v.String())
		}
	default:
		return nil, fmt.Errorf("expected an integer, got %s", describe(data))
	}
	if reflect.New(to).Elem().OverflowInt(n) {
		return nil, fmt.Errorf("%d is too large", n)
	}
	return reflect.ValueOf(n).Convert(to).Interface(), nil
}

// toBool converts a boolean or a text accepted by [strconv.ParseBool].
func toBool(data any) (any, error) {
	switch b := data.(type) {
	case bool:
		return b, nil
	case string:
		v, err := strconv.ParseBool(b)
		if err != nil {
			return nil, fmt.Errorf("%q is not a boolean (write true or false)", b)
		}
		return v, nil
	}
	return nil, fmt.Errorf("expected true or false, got %s", describe(data))
}

// isMap reports whether data is a mapping, as a section must be.
func isMap(data any) bool {
	return reflect.ValueOf(data).Kind() == reflect.Map
}

// describe names data for an error message.
func describe(data any) string {
	switch v := reflect.ValueOf(data); v.Kind() {
	case reflect.Map:
		return "a section of keys"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.String:
		return strconv.Quote(v.String())
	default:
		return fmt.Sprint(data)
	}
}
