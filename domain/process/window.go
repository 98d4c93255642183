package process

// WindowSize is how many of its latest command IDs a process (and a programme) remembers. Older
// command IDs are not forgotten: they are in the store with their events, and the engine asks the
// store for a command ID the window does not hold (eventstore.Store.Find).
const WindowSize = 64

// Window remembers the latest WindowSize command IDs applied with the version after each, so that
// a retried command is recognised without a store query, at a cost that does not grow with the
// history. The zero value is empty and ready, and takes no memory beyond a pointer until the first
// command ID is added: the process list holds 10^4–10^5 states that never handle a command, so
// the entries (~1.5 KB) are allocated only by a state that does. A copy of a Window shares its
// entries: use Clone for one of its own.
type Window struct {
	e *windowEntries
}

type windowEntries struct {
	ids      [WindowSize]string
	versions [WindowSize]int64
	next     int // where the next new command ID goes
	n        int // how many entries are held
}

// Clone returns a copy of the window that shares nothing with it.
func (w Window) Clone() Window {
	if w.e == nil {
		return Window{}
	}
	e := *w.e
	return Window{e: &e}
}

// Add records that the command with id was applied up to version. Consecutive events of one
// command update its entry; a new command ID replaces the oldest entry once the window is full.
func (w *Window) Add(id string, version int64) {
	if id == "" {
		return
	}
	if w.e == nil {
		w.e = &windowEntries{}
	}
	w.e.add(id, version)
}

func (w *windowEntries) add(id string, version int64) {
	if w.n > 0 {
		last := (w.next + WindowSize - 1) % WindowSize
		if w.ids[last] == id {
			w.versions[last] = version
			return
		}
	}
	for i := range w.n {
		if w.ids[i] == id { // an older command's ID again: its latest version counts
			w.versions[i] = version
			return
		}
	}
	w.ids[w.next], w.versions[w.next] = id, version
	w.next = (w.next + 1) % WindowSize
	if w.n < WindowSize {
		w.n++
	}
}

// Get returns the version after the command with id when the window holds it. A miss means only
// that the command is not among the latest WindowSize: ask the store.
func (w *Window) Get(id string) (int64, bool) {
	if id == "" || w.e == nil {
		return 0, false
	}
	for i := range w.e.n {
		if w.e.ids[i] == id {
			return w.e.versions[i], true
		}
	}
	return 0, false
}

// Len returns how many command IDs the window holds (at most WindowSize).
func (w *Window) Len() int {
	if w.e == nil {
		return 0
	}
	return w.e.n
}
