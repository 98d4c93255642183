package audit

// LineRoundTrip writes one entry as a chunk line and reads it back, for the line format's tests.
func LineRoundTrip(position, at int64, actor, typ string, facts []any) (gotPos, gotAt int64, gotActor, gotType, gotFacts string, size int, err error) {
	b, err := appendLine(nil, line{position: position, at: at, actor: actor, typ: typ}, facts)
	if err != nil {
		return 0, 0, "", "", "", 0, err
	}
	lines, err := parseLines(b)
	if err != nil || len(lines) != 1 {
		return 0, 0, "", "", "", len(b), err
	}
	l := lines[0]
	return l.position, l.at, l.actor, l.typ, string(l.facts), len(b), nil
}
