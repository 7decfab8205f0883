package gemtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/gem-go/gem-go/internal/route"
)

// checkResponse reports to the WithResponseValidation tb every way a response differs
// from Gem's document or from flask-smorest's pagination.
func (f *Fake) checkResponse(r *http.Request, rt *route.Route, params map[string]string, rec *recorder) {
	if err := responseProblem(r, rt, params, rec.status, rec.header, rec.body.Bytes()); err != nil {
		body := rec.body.String()
		if len(body) > 2000 {
			body = body[:2000] + "..."
		}
		f.cfg.tb.Errorf("gemtest: response to %s %s does not match Gem's document: %v\nstatus %d, body: %s",
			r.Method, r.URL.RequestURI(), err, rec.status, body)
	}
}

// responseProblem validates a response with kin-openapi against its operation, and its
// X-Pagination against flask-smorest's rules and the body it describes.
func responseProblem(r *http.Request, rt *route.Route, params map[string]string, status int, header http.Header, body []byte) error {
	h := header.Clone()
	// The document types X-Pagination as an object, which kin-openapi would decode in
	// "simple" style (k,v,k,v); Gem sends JSON. paginationProblem checks it instead.
	h.Del("X-Pagination")
	opts := validationOptions()
	if len(body) == 0 && status < 300 {
		// 204s, and the success of POST /v0/projects/{id}/project_field_options, which the
		// document leaves out: no body to check.
		opts.ExcludeResponseBody = true
	}
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: rt.Route},
		Status:                 status,
		Header:                 h,
		Options:                opts,
	}
	input.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), input); err != nil {
		return err
	}
	return paginationProblem(r, rt, status, header.Get("X-Pagination"), body)
}

// paginationProblem checks that a paginated list's response has X-Pagination, that the
// header is exactly flask-smorest's for the request's page and page_size and its total,
// and that the body has as many items as the header says; and that other responses have
// no X-Pagination.
func paginationProblem(r *http.Request, rt *route.Route, status int, got string, body []byte) error {
	resp := rt.Operation.Responses.Status(status)
	if resp == nil || resp.Value == nil || resp.Value.Headers["X-Pagination"] == nil {
		if got != "" {
			return fmt.Errorf("X-Pagination %s on a response the document does not paginate", got)
		}
		return nil
	}
	if got == "" {
		return fmt.Errorf("no X-Pagination header (flask-smorest sends it on every page)")
	}
	var meta map[string]any
	if err := json.Unmarshal([]byte(got), &meta); err != nil {
		return fmt.Errorf("X-Pagination %q is not JSON: %w", got, err)
	}
	schema := resp.Value.Headers["X-Pagination"].Value.Schema.Value
	if err := schema.VisitJSON(meta); err != nil {
		return fmt.Errorf("X-Pagination %s does not match the document: %w", got, err)
	}
	total, ok := meta["total"].(float64)
	if !ok {
		return fmt.Errorf("X-Pagination %s has no total", got)
	}
	pg, size := queryInt(r, "page", 1), queryInt(r, "page_size", defaultPageSize)
	if want := paginationHeader(pg, size, int(total)); got != want {
		return fmt.Errorf("X-Pagination %s, want flask-smorest's %s", got, want)
	}
	var items []json.RawMessage
	if err := json.Unmarshal(body, &items); err != nil {
		return fmt.Errorf("body of a paginated list is not a JSON array: %w", err)
	}
	start, end := pageBounds(pg, size, int(total))
	if want := end - start; len(items) != want {
		return fmt.Errorf("page %d of %d items by %d has %d items, want %d", pg, int(total), size, len(items), want)
	}
	return nil
}

func queryInt(r *http.Request, name string, def int) int {
	if v, err := strconv.Atoi(r.URL.Query().Get(name)); err == nil {
		return v
	}
	return def
}
