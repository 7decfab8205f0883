package gemclient_test

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/gemclient"
)

// WithBackoff refuses a cap that would overflow the jitter (rand.N panicked on the first
// retry after WithBackoff(math.MaxInt64, math.MaxInt64)) or wait beyond a day; within the
// bounds, every wait stays under min(max, base·2ⁿ), however many retries.
func TestBackoffBounds(t *testing.T) {
	for _, b := range [][2]time.Duration{{math.MaxInt64, math.MaxInt64}, {time.Second, math.MaxInt64}, {time.Second, 24*time.Hour + 1}} {
		_, err := gemclient.New(testKey, gemclient.WithBackoff(b[0], b[1]))
		assert.ErrorContains(t, err, "WithBackoff", "%v", b)
	}

	const retries = 70 // past every shift width
	statuses := make([]int, retries)
	for i := range statuses {
		statuses[i] = 503
	}
	for _, b := range [][2]time.Duration{{1, 24 * time.Hour}, {24 * time.Hour, 24 * time.Hour}, {time.Hour, 24 * time.Hour}} {
		s := newServer(t, script(statuses, nil, `{"id":"c1"}`))
		c, rec := retryClient(t, s, gemclient.WithBackoff(b[0], b[1]), gemclient.WithMaxRetries(retries))
		require.NoError(t, getCandidate(c))
		waits := rec.all()
		require.Len(t, waits, retries)
		for n, w := range waits {
			ceiling := b[1]
			if n < 62 && b[0] <= b[1]>>n {
				ceiling = b[0] << n
			}
			assert.True(t, w >= 0 && w <= ceiling, "wait %d: %v, ceiling %v", n, w, ceiling)
		}
	}
}
