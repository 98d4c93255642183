// Command scenario drives a running civicflow server through the Go client that
// github.com/oapi-codegen/oapi-codegen generates from the served OpenAPI description
// (.ci/api-clients generates it into a temporary module beside a copy of this file): it opens a
// process, completes a task, is refused an advance with its problem and reads a history page.
// CIVICFLOW_URL and CIVICFLOW_TOKEN (a lead's) say where and as whom.
package main

import (
	"context"
	"fmt"
	"net/http"
	"os"

	"scenario/civicflow"
)

func main() {
	if err := run(context.Background(), os.Getenv("CIVICFLOW_URL"), os.Getenv("CIVICFLOW_TOKEN")); err != nil {
		fmt.Fprintln(os.Stderr, "go client scenario:", err)
		os.Exit(1)
	}
	fmt.Println("go client scenario: ok")
}

func run(ctx context.Context, base, token string) error {
	c, err := civicflow.NewClientWithResponses(base, civicflow.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer "+token)
		return nil
	}))
	if err != nil {
		return err
	}
	open, err := c.OpenProcessWithResponse(ctx, &civicflow.OpenProcessParams{}, civicflow.OpenProcessJSONRequestBody{Template: "beteiligung-standard", Title: "Spielplatz (Go-Client)"})
	if err != nil {
		return fmt.Errorf("open: %w", err)
	}
	if open.JSON201 == nil {
		return fmt.Errorf("open: %d %s", open.StatusCode(), open.Body)
	}
	id := open.JSON201.Process
	done, err := c.CompleteTaskWithResponse(ctx, id, &civicflow.CompleteTaskParams{}, civicflow.CompleteTaskJSONRequestBody{Task: "define_subject", Evidence: "Vermerk vom 3. März"})
	if err != nil {
		return fmt.Errorf("complete_task: %w", err)
	}
	if done.JSON200 == nil || done.JSON200.Version != 2 {
		return fmt.Errorf("complete_task: %d %s", done.StatusCode(), done.Body)
	}
	adv, err := c.AdvanceWithResponse(ctx, id, &civicflow.AdvanceParams{}, civicflow.AdvanceJSONRequestBody{})
	if err != nil {
		return fmt.Errorf("advance: %w", err)
	}
	if adv.ApplicationproblemJSON422 == nil {
		return fmt.Errorf("advance was not refused: %d %s", adv.StatusCode(), adv.Body)
	}
	p := adv.ApplicationproblemJSON422
	if p.Code != "refused" || p.Rule == nil || *p.Rule != "gates_not_met" || p.Reasons == nil || len(*p.Reasons) == 0 {
		return fmt.Errorf("advance refused with another problem: %s", adv.Body)
	}
	limit := 1
	h, err := c.HistoryWithResponse(ctx, id, &civicflow.HistoryParams{Limit: &limit})
	if err != nil {
		return fmt.Errorf("history: %w", err)
	}
	if h.JSON200 == nil || len(h.JSON200.Items) != 1 || h.JSON200.Next == nil {
		return fmt.Errorf("history page: %d %s", h.StatusCode(), h.Body)
	}
	od, err := c.OpenDataWithResponse(ctx, "leipzig", &civicflow.OpenDataParams{})
	if err != nil {
		return fmt.Errorf("open data: %w", err)
	}
	if od.JSON200 == nil || od.JSON200.DctLicense != "http://dcat-ap.de/def/licenses/dl-by-de/2.0" || od.JSON200.DctPublisher.FoafName != "leipzig" {
		return fmt.Errorf("open data: %d %s", od.StatusCode(), od.Body)
	}
	fmt.Printf("process %s: task done (version %d), advance refused (%s: %d unmet), history page of 1, next %d, open data of leipzig: %d public processes\n",
		id, done.JSON200.Version, *p.Rule, len(*p.Reasons), *h.JSON200.Next, len(od.JSON200.Processes))
	return nil
}
