package handlers_test

import (
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkSaveAnswer is the answer save through the real router (every
// middleware, the session check, validation, the group commit on a real
// PostgreSQL): its allocations per save are the figure to watch (go test
// -bench SaveAnswer -benchmem ./handlers); its time per save is the database's
// commit more than the handler's work. Parallel goroutines save to the
// questions of one running attempt, so that saves share batches as in a
// sitting.
func BenchmarkSaveAnswer(b *testing.B) {
	e := hzMustEnv(b)
	base := "/api/v1/attempts/" + e.running + "/answers/"
	seq := atomic.Int64{}
	seq.Store(time.Now().UnixMicro())
	var next atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		q := e.runningQs[int(next.Add(1))%len(e.runningQs)]
		path := base + q
		for pb.Next() {
			s := seq.Add(1)
			rec := e.serve(hzReq{method: http.MethodPut, path: path, token: e.candToken,
				body: `{"choice":null,"flagged":` + strconv.FormatBool(s%2 == 0) + `,"seq":` + strconv.FormatInt(s, 10) + `}`})
			if rec.Code != http.StatusOK {
				b.Errorf("save: %d %s", rec.Code, rec.Body.String())
				return
			}
		}
	})
}
