package exam

import (
	"context"

	"github.com/council-exam/examd/auth"
)

// StartBatchOnce runs one batch of first starts of examID, one per entry of
// candidateIDs in that order (an id may repeat), as the start workers would,
// and answers for each whether it made an attempt and the attempt's id and the
// questions shown (JSON).
func (s *Store) StartBatchOnce(ctx context.Context, examID string, candidateIDs []string) (made []bool, ids []string, shown [][]byte, err error) {
	f, err := s.frozen(ctx, examID)
	if err != nil {
		return nil, nil, nil, err
	}
	starts := make([]*pendingStart, len(candidateIDs))
	for i, c := range candidateIDs {
		starts[i] = newPendingStart(c, f)
	}
	out, err := s.startBatch(ctx, starts)
	if err != nil {
		return nil, nil, nil, err
	}
	made, ids, shown = make([]bool, len(out)), make([]string, len(out)), make([][]byte, len(out))
	for i, o := range out {
		if !o.fallback {
			made[i], ids[i], shown[i] = true, o.row.ID, starts[i].questions
		}
	}
	return made, ids, shown, nil
}

// BatchSave is one save of SaveBatchOnce: under a session token, or (Token
// empty) by a known candidate.
type BatchSave struct {
	Token, CandidateID, AttemptID, QuestionID string
	Choice                                    *string
	Seq                                       int64
}

// SaveBatchOnce runs saves as one batch, as a save worker would, and answers
// for each whether it was stored or acknowledged (not refused).
func (s *Store) SaveBatchOnce(ctx context.Context, saves []BatchSave) ([]bool, error) {
	batch := make([]*pendingSave, len(saves))
	for i, b := range saves {
		batch[i] = &pendingSave{candidateID: b.CandidateID, attemptID: b.AttemptID, questionID: b.QuestionID, choice: b.Choice, seq: b.Seq}
		if b.Token != "" {
			batch[i].tokenHash = auth.TokenHash(b.Token)
		}
	}
	out, err := s.saveBatch(ctx, batch)
	if err != nil {
		return nil, err
	}
	ok := make([]bool, len(out))
	for i, o := range out {
		ok[i] = !o.refused
	}
	return ok, nil
}
