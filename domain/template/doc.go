// Package template is the model of a process template (Verfahrensvorlage): the stages a
// participation process goes through, the tasks in each stage and the evidence that completes
// them, the gates that must hold to leave a stage, the approvals (four-eyes) it needs, the roles
// that may advance it, where going back is allowed, and the deadlines with their legal basis.
//
// Templates are parsed from YAML or JSON outside the domain (workflows/templates) into Template,
// checked with Validate, and published as immutable, numbered versions with a content hash. Gate
// expressions are checked by a GateChecker that the engine provides (CEL), so that a typo is
// refused at publish time with the stage, the gate and the position.
package template
