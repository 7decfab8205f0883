package gemtest

import (
	"net/url"
	"slices"
	"strings"

	"github.com/gem-go/gem-go/gen"
)

// normalizeEmails keeps the first of each address (ignoring case), defaults is_primary to
// false, and makes the first address primary when none is (a guess: the reference says
// nothing; PD and CF send one primary address, docs/gem-api.md §1.1).
func normalizeEmails(in []gen.Email) []gen.Email {
	out := []gen.Email{}
	seen := map[string]bool{}
	primary := false
	for _, e := range in {
		key := strings.ToLower(e.EmailAddress)
		if seen[key] {
			continue
		}
		seen[key] = true
		isPrimary := e.IsPrimary != nil && *e.IsPrimary && !primary
		primary = primary || isPrimary
		out = append(out, gen.Email{EmailAddress: e.EmailAddress, IsPrimary: ptr(isPrimary)})
	}
	if !primary && len(out) > 0 {
		out[0].IsPrimary = ptr(true)
	}
	return out
}

// networks names the social network of a profile URL's host. Network values are not
// documented beyond "linkedin" and "github" appearing in clients (docs/gem-api.md §1.2).
var networks = map[string]string{
	"linkedin.com":      "linkedin",
	"github.com":        "github",
	"gitlab.com":        "gitlab",
	"twitter.com":       "twitter",
	"x.com":             "twitter",
	"facebook.com":      "facebook",
	"stackoverflow.com": "stackoverflow",
	"dribbble.com":      "dribbble",
	"behance.net":       "behance",
	"medium.com":        "medium",
	"angel.co":          "angellist",
	"wellfound.com":     "angellist",
	"kaggle.com":        "kaggle",
}

// profilesFor generates profiles from profile_urls ("social profiles will be generated
// based on the provided urls", reference), plus the LinkedIn profile of handle when the
// URLs do not have it.
func profilesFor(urls []string, handle *string) []gen.Profile {
	out := []gen.Profile{}
	hasLinkedIn := false
	for _, raw := range urls {
		p := profileFor(raw)
		hasLinkedIn = hasLinkedIn || p.Network == "linkedin"
		out = append(out, p)
	}
	if handle != nil && !hasLinkedIn {
		out = append(out, profileFor("https://www.linkedin.com/in/"+url.PathEscape(*handle)))
	}
	return out
}

// profileFor is one URL's profile: the network from the host (or the host's name), the
// username from the path (LinkedIn's /in/<handle>; empty for bare sites).
func profileFor(raw string) gen.Profile {
	u, err := url.Parse(raw)
	if err != nil {
		return gen.Profile{Network: "other", URL: raw, Username: ptr("")}
	}
	host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	network, ok := networks[host]
	if !ok {
		network, _, _ = strings.Cut(host, ".")
	}
	var segs []string
	for _, s := range strings.Split(u.Path, "/") {
		if s != "" {
			segs = append(segs, s)
		}
	}
	username := ""
	if len(segs) > 0 {
		username = segs[len(segs)-1]
		if network == "linkedin" && len(segs) > 1 && segs[0] == "in" {
			username = segs[1]
		}
	}
	return gen.Profile{Network: network, URL: raw, Username: ptr(username)}
}

// normalizeEducation stores the entries as sent: a field not sent is absent from the
// response too. EducationInfo is shared with request bodies, where an absent field must stay
// absent, so its nil fields are left out when encoded (a guess: Gem may dump them as null).
func normalizeEducation(in []gen.EducationInfo) []gen.EducationInfo { return slices.Clone(in) }

// normalizeWork stores the entries as sent, like normalizeEducation.
func normalizeWork(in []gen.WorkInfo) []gen.WorkInfo { return slices.Clone(in) }
