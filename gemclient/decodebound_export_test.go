package gemclient

// CheckPageShape runs the check a page of a paginated list gets before decoding (the
// bounds for page_size=pageSize under the default byte limit), for the benchmarks.
func CheckPageShape(body []byte, pageSize int) error {
	l := bodyLimits{check: true, list: pageSize, array: maxArrayElements, elements: DefaultMaxResponseBytes / elementBytes}
	return checkShape(body, &l)
}
