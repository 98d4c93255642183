package httpapi

import (
	_ "embed"
	"net/http"

	"github.com/civicflow/civicflow/domain/process"
)

//go:embed openapi.json
var openapiDoc []byte

// OpenAPI returns the OpenAPI 3.1 description of the API.
func OpenAPI() []byte { return openapiDoc }

func (a *API) openapi(w http.ResponseWriter, _ *http.Request, _ process.Actor) error {
	w.Header().Set("Content-Type", "application/json")
	_, err := w.Write(openapiDoc)
	return err
}
