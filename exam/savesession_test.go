package exam_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/council-exam/examd/auth"
	"github.com/council-exam/examd/exam"
)

// TestSaveWithSessionChecksTheSessionInTheSave covers the hot path where the
// save's own statement checks the session: every kind of stale or foreign
// session is refused with the error the session lookup gives, and nothing is
// stored; a live session saves, alone and batched with others.
func TestSaveWithSessionChecksTheSessionInTheSave(t *testing.T) {
	env, sessions, v := sessionMustEnv(t)
	ctx := context.Background()
	other, _ := env.attCandidate(t)
	q := v.Questions[0]
	choice := q.Options[1].Key

	login := func(kind auth.Kind, subject string) string {
		t.Helper()
		tok, err := sessions.Create(ctx, kind, subject, "test", "127.0.0.1")
		if err != nil {
			t.Fatalf("Create session: %v", err)
		}
		return tok
	}
	mine := login(auth.KindCandidate, env.eligible)
	revoked := login(auth.KindCandidate, env.eligible)
	if err := sessions.Revoke(ctx, revoked); err != nil {
		t.Fatal(err)
	}
	idle := login(auth.KindCandidate, env.eligible)
	if _, err := env.db.Exec(`UPDATE sessions SET last_seen_at = now() - interval '31 minutes' WHERE token_hash = $1`, auth.TokenHash(idle)); err != nil {
		t.Fatal(err)
	}
	expired := login(auth.KindCandidate, env.eligible)
	if _, err := env.db.Exec(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE token_hash = $1`, auth.TokenHash(expired)); err != nil {
		t.Fatal(err)
	}
	official := login(auth.KindOfficial, env.eligible) // the same id, the wrong kind
	stranger := login(auth.KindCandidate, other)

	for _, batched := range []bool{false, true} {
		if batched {
			bctx, cancel := context.WithCancel(ctx)
			defer cancel()
			env.s.StartBatching(bctx, 2, 64)
		}
		refused := []struct {
			name, token string
			want        error
		}{
			{"no token", "", auth.ErrNoSession},
			{"unknown token", "not-a-session", auth.ErrNoSession},
			{"revoked", revoked, auth.ErrNoSession},
			{"idle", idle, auth.ErrNoSession},
			{"expired", expired, auth.ErrNoSession},
			{"official's session", official, auth.ErrWrongKind},
			{"another candidate's session", stranger, exam.ErrNotFound},
		}
		for _, tc := range refused {
			_, err := env.s.SaveWithSession(ctx, tc.token, v.AttemptID, q.ID, exam.SaveRequest{Choice: attStr(choice), Seq: attSeq(100)})
			if !errors.Is(err, tc.want) {
				t.Errorf("batched=%v %s: err = %v, want %v", batched, tc.name, err, tc.want)
			}
			// A bad body is answered for the session first, as requireSession would.
			_, err = env.s.SaveWithSession(ctx, tc.token, v.AttemptID, q.ID, exam.SaveRequest{Choice: attStr("z")})
			if tc.want != exam.ErrNotFound && !errors.Is(err, tc.want) {
				t.Errorf("batched=%v %s with a bad body: err = %v, want %v", batched, tc.name, err, tc.want)
			}
		}
		if got := attMustAnswers(t, env.db, v.AttemptID); len(got) != 0 {
			t.Fatalf("batched=%v: refused saves stored %v", batched, got)
		}
	}

	// A live session saves; many at once share batches and each is answered.
	if _, err := env.s.SaveWithSession(ctx, mine, v.AttemptID, q.ID, exam.SaveRequest{Choice: attStr(choice), Seq: attSeq(1)}); err != nil {
		t.Fatalf("SaveWithSession with a live session: %v", err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(v.Questions)*4)
	for round := int64(2); round < 6; round++ {
		for _, qq := range v.Questions {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := env.s.SaveWithSession(ctx, mine, v.AttemptID, qq.ID,
					exam.SaveRequest{Choice: attStr(qq.Options[0].Key), Flagged: round%2 == 0, Seq: attSeq(round)})
				if err != nil {
					errs <- err
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent SaveWithSession: %v", err)
	}
	got := attMustAnswers(t, env.db, v.AttemptID)
	if len(got) != len(v.Questions) {
		t.Fatalf("stored %d answers, want %d", len(got), len(v.Questions))
	}
	for _, qq := range v.Questions {
		a := got[qq.ID]
		if a.Seq != 5 || a.Choice == nil || *a.Choice != qq.Options[0].Key || a.Flagged {
			t.Errorf("question %s: stored %+v, want seq 5 choice %s unflagged (the highest seq wins)", qq.ID, a, qq.Options[0].Key)
		}
	}

	// After a submit the session is live but the save is refused as finished.
	if _, err := env.s.Submit(ctx, env.eligible, v.AttemptID); err != nil {
		t.Fatal(err)
	}
	if _, err := env.s.SaveWithSession(ctx, mine, v.AttemptID, q.ID, exam.SaveRequest{Choice: attStr(choice), Seq: attSeq(9)}); !errors.Is(err, exam.ErrAttemptFinished) {
		t.Fatalf("save after submit: err = %v, want ErrAttemptFinished", err)
	}
}

// TestSaveBatchOneQuestionFromTwoSessions: a candidate signed in on two
// devices whose saves of one question land in the same batch (and a third
// from the full path's known candidate) gets every save acknowledged and the
// highest seq stored, instead of a batch that fails for everyone in it.
func TestSaveBatchOneQuestionFromTwoSessions(t *testing.T) {
	env, sessions, v := sessionMustEnv(t)
	ctx := context.Background()
	q := v.Questions[0]
	var tokens [2]string
	for i := range tokens {
		tok, err := sessions.Create(ctx, auth.KindCandidate, env.eligible, "test", "127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		tokens[i] = tok
	}
	keys := []string{q.Options[0].Key, q.Options[1].Key, q.Options[2].Key}
	ok, err := env.s.SaveBatchOnce(ctx, []exam.BatchSave{
		{Token: tokens[0], AttemptID: v.AttemptID, QuestionID: q.ID, Choice: &keys[0], Seq: 5},
		{Token: tokens[1], AttemptID: v.AttemptID, QuestionID: q.ID, Choice: &keys[1], Seq: 7},
		{CandidateID: env.eligible, AttemptID: v.AttemptID, QuestionID: q.ID, Choice: &keys[2], Seq: 6},
	})
	if err != nil {
		t.Fatalf("batch of one question from two sessions: %v", err)
	}
	for i, o := range ok {
		if !o {
			t.Errorf("save %d refused, want acknowledged", i)
		}
	}
	var stored struct {
		Choice string `db:"choice"`
		Seq    int64  `db:"seq"`
	}
	if err := env.db.Get(&stored, `SELECT choice, seq FROM answers WHERE attempt_id = $1 AND question_id = $2`, v.AttemptID, q.ID); err != nil {
		t.Fatal(err)
	}
	if stored.Seq != 7 || stored.Choice != keys[1] {
		t.Errorf("stored %+v, want seq 7 choice %s", stored, keys[1])
	}
}

// sessionMustEnv is an attempt environment whose store checks sessions, with
// an exam and the eligible demo candidate's attempt of it started.
func sessionMustEnv(t *testing.T) (*attEnv, *auth.Sessions, exam.AttemptView) {
	t.Helper()
	env := attMustEnv(t)
	sessions := &auth.Sessions{DB: env.db, Idle: 30 * time.Minute, MaxAge: 12 * time.Hour}
	env.s.Sessions = sessions
	x := env.attExam(t, nil)
	return env, sessions, env.attMustStart(t, env.eligible, x.ID)
}
