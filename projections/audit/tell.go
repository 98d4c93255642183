package audit

import "github.com/civicflow/civicflow/domain/process"

// Tell is the timeline's sentence for one process event outside the read model (the audit
// report): what actor did, in German and English. titles names a stage ("stage", key), a task or
// an approval ("task"/"approval", "stage/key") of the process's template version, or a measure of
// the process ("measure", its key); nil uses the keys. Like the timeline, it never reads sealed
// data.
func Tell(actor string, payload process.Payload, titles func(kind, key string) Title) Sentence {
	if titles == nil {
		titles = keyTitle
	}
	return sentence(actor, payload, titles)
}

// keyTitle names a stage, task or approval by its key (the part after "stage/").
func keyTitle(_, key string) Title {
	for i := len(key) - 1; i >= 0; i-- {
		if key[i] == '/' {
			key = key[i+1:]
			break
		}
	}
	return Title{De: key, En: key}
}
