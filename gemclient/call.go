package gemclient

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// The generated methods in operations.gen.go delegate here. They call the generated
// client's plain methods, which return the *http.Response: non-2xx answers never get
// here (the pipeline returns them as *APIError), and a 2xx body is already in memory.
// Decoding here rather than through the generated Parse...Response functions decodes the
// body in place (they copy it first) and reads the X-Pagination header directly; the types
// are the ones the generated parsers would use (opsgen takes them from their
// JSON200/JSON201 fields).

// decode reads a 2xx JSON body into a new T.
func decode[T any](resp *http.Response, err error) (*T, error) {
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	v := new(T)
	if err := decodeBody(resp.Body, v); err != nil {
		return nil, fmt.Errorf("gemclient: %s %s: decoding the response: %w", resp.Request.Method, resp.Request.URL.Path, err)
	}
	return v, nil
}

// decodeList is decode for a body that is a JSON array: it returns the slice itself.
func decodeList[T any](resp *http.Response, err error) ([]T, error) {
	v, err := decode[[]T](resp, err)
	if err != nil {
		return nil, err
	}
	return *v, nil
}

// noContent is for operations answering 204, or a 2xx the document does not describe
// (UpdateProjectFieldOptionAssociations): any 2xx is success.
func noContent(resp *http.Response, err error) error {
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// decodeBody decodes a body the pipeline read into memory in place, without the copy a
// json.Decoder would make; any other body (from a custom doer) through a Decoder.
func decodeBody(body io.Reader, v any) error {
	if b, ok := body.(*bufferedBody); ok && b.buf != nil {
		return json.Unmarshal(b.buf.Bytes(), v)
	}
	return json.NewDecoder(body).Decode(v)
}
