package gemclient

// Ptr returns a pointer to v, for the optional fields of request bodies and parameters,
// which are pointers so that false, 0 and "" can be sent:
//
//	gen.CandidateCreate{CreatedBy: userID, FirstName: gemclient.Ptr("Ada")}
//	gen.ProjectUpdate{IsArchived: gemclient.Ptr(false)}
//
// The "or null" fields of update bodies take gen.Value(v) or gen.Null[T]() instead.
func Ptr[T any](v T) *T { return &v }
