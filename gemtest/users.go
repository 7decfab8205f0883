package gemtest

import (
	"context"
	"strings"

	"github.com/gem-go/gem-go/internal/genserver"
)

// ListUsers lists the team's users in creation order (the list has no sort parameter);
// email matches a user's address exactly, ignoring case.
func (a api) ListUsers(_ context.Context, req genserver.ListUsersRequestObject) (genserver.ListUsersResponseObject, error) {
	s := a.lock()
	defer a.unlock()
	p := req.Params
	users := s.users.filter(func(u *user) bool { return p.Email == nil || strings.EqualFold(u.email, *p.Email) })
	body, header := pageInOrder(users, p.Page, p.PageSize, (*user).render)
	return genserver.ListUsers200JSONResponse{Body: body, Headers: genserver.ListUsers200ResponseHeaders{XPagination: header}}, nil
}

// userExists reports whether id names a user.
func (s *store) userExists(id string) bool {
	_, ok := s.users.get(id)
	return ok
}
