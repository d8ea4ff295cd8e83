// Package report renders a pipeline result for people and machines: a terminal table of
// stages with the findings grouped by stage, a versioned JSON document, SARIF 2.1.0 for code
// scanning, and, inside GitHub Actions, log groups, annotations, a step summary and outputs.
//
// A run creates one Reporter, hands its StageFinished to the pipeline as the progress hook,
// and calls Finish with the result. See docs/reports.md for each format.
package report
