package audit

import "fmt"

// LineRoundTrip writes one entry as the first line of a chunk and again as the line after prev
// (position, at, actor and type), reads both back and returns the second as read and its size;
// an entry that reads back differently as the first line is an error.
func LineRoundTrip(prev line, position, at int64, actor, typ string, facts []any) (gotPos, gotAt int64, gotActor, gotType, gotFacts string, size int, err error) {
	l := line{position: position, at: at, actor: actor, typ: typ}
	alone, err := appendLine(nil, l, line{}, facts)
	if err != nil {
		return 0, 0, "", "", "", 0, err
	}
	first, err := appendLine(nil, prev, line{}, nil)
	if err != nil {
		return 0, 0, "", "", "", 0, err
	}
	both, err := appendLine(first, l, prev, facts)
	if err != nil {
		return 0, 0, "", "", "", 0, err
	}
	lines, err := parseLines(both)
	if err != nil || len(lines) != 2 {
		return 0, 0, "", "", "", len(both) - len(first), err
	}
	single, err := parseLines(alone)
	if err != nil || len(single) != 1 || single[0].position != position || single[0].at != at || single[0].actor != actor ||
		single[0].typ != typ || string(single[0].facts) != string(lines[1].facts) {
		return 0, 0, "", "", "", 0, fmt.Errorf("as a chunk's first line %q read %+v (%v)", alone, single, err)
	}
	r := lines[1]
	return r.position, r.at, r.actor, r.typ, string(r.facts), len(both) - len(first), nil
}

// Line makes a line for LineRoundTrip.
func Line(position, at int64, actor, typ string) line {
	return line{position: position, at: at, actor: actor, typ: typ}
}
