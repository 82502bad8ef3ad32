package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/council-exam/examd/audit"
	"github.com/council-exam/examd/auth"
	"github.com/council-exam/examd/exam"
	"github.com/council-exam/examd/input"
	"github.com/council-exam/examd/officials"
	"github.com/council-exam/examd/receipts"
)

// demoOfficials are the demo logins of the officials' console.
var demoOfficials = []officials.NewOfficial{
	{Username: "admin", DisplayName: "مدیر آزمون (نمونه)", Role: officials.RoleAdmin, Password: "Tehran-Council-1400"},
	{Username: "reviewer", DisplayName: "ناظر آزمون (نمونه)", Role: officials.RoleReviewer, Password: "Review-Desk-1400"},
}

// cliActor is how the audit log names what is done from the command line.
var cliActor = audit.Actor{Kind: "system", ID: "cli", Name: "examd command line"}

func officialCommand(ctx context.Context, cfg config, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("official: want create or disable")
	}
	fs := flag.NewFlagSet("official "+args[0], flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	username := fs.String("username", "", "login name")
	password := fs.String("password", "", "password (at least 10 characters)")
	role := fs.String("role", "", "admin or reviewer")
	name := fs.String("name", "", "display name")
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("official %s: %w", args[0], err)
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	store := &officials.Store{DB: db, Sessions: &auth.Sessions{DB: db, Idle: cfg.SessionIdle, MaxAge: cfg.SessionMaxAge}}
	switch args[0] {
	case "create":
		o, err := store.Create(ctx, cliActor, officials.NewOfficial{Username: *username, Password: *password, Role: *role, DisplayName: *name})
		var ie *input.Error
		switch {
		case errors.As(err, &ie):
			return fmt.Errorf("official create: %s", describeOfficialProblems(ie))
		case errors.Is(err, officials.ErrUsernameTaken):
			return fmt.Errorf("official create: the username %q is already taken", *username)
		case err != nil:
			return err
		}
		fmt.Fprintf(stdout, "official %s created with role %s (id %s)\n", o.Username, o.Role, o.ID)
		return nil
	case "disable":
		o, err := store.SetDisabled(ctx, cliActor, *username, true)
		if errors.Is(err, officials.ErrNotFound) {
			return fmt.Errorf("official disable: no official %q", *username)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "official %s disabled; their sessions are ended\n", o.Username)
		return nil
	default:
		return fmt.Errorf("official: unknown subcommand %q (want create or disable)", args[0])
	}
}

// officialProblemText explains the reason codes of officials.Create.
var officialProblemText = map[string]string{
	"username:invalid":           "the username must be 3–32 lower-case letters, digits, '.', '_' or '-'",
	"role:one_of":                "the role must be admin or reviewer",
	"password:too_short":         fmt.Sprintf("the password is too weak: use at least %d characters", officials.MinPasswordLength),
	"password:too_long":          "the password is longer than 128 characters",
	"password:common_password":   "the password is too weak: it is on the list of common passwords",
	"password:contains_username": "the password is too weak: it contains the username",
	"display_name:too_long":      "the display name is longer than 100 characters",
}

func describeOfficialProblems(ie *input.Error) string {
	msg := ""
	for _, f := range []string{"username", "role", "password", "display_name"} {
		reason, ok := ie.Fields[f]
		if !ok {
			continue
		}
		text, ok := officialProblemText[f+":"+reason]
		if !ok {
			text = f + ": " + reason
		}
		if msg != "" {
			msg += "; "
		}
		msg += text
	}
	return msg
}

func auditCommand(ctx context.Context, cfg config, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return errors.New("audit: want verify")
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := audit.Verify(ctx, db)
	if err != nil {
		return err
	}
	if !res.Valid {
		fmt.Fprintf(stdout, "audit log BROKEN: %d rows, first bad row id %d\n", res.Rows, *res.FirstBadID)
		return fmt.Errorf("audit verify: the chain is broken at row %d", *res.FirstBadID)
	}
	fmt.Fprintf(stdout, "audit log intact: %d rows\n", res.Rows)
	return nil
}

func receiptCommand(ctx context.Context, cfg config, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return errors.New("receipt: want verify RECEIPT")
	}
	fs := flag.NewFlagSet("receipt verify", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	pubFlag := fs.String("public-key", "", "the public key (base64) from GET /api/v1/receipts/key; works offline")
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("receipt verify: %w", err)
	}
	if fs.NArg() != 1 {
		return errors.New("receipt verify: give exactly one receipt")
	}
	var pub ed25519.PublicKey
	switch {
	case *pubFlag != "":
		k, err := receipts.ParsePublicKey(*pubFlag)
		if err != nil {
			return err
		}
		pub = k
	case cfg.ReceiptKey != "" || cfg.ReceiptKeyFile != "":
		k, err := receipts.LoadKey(ctx, nil, cfg.ReceiptKey, cfg.ReceiptKeyFile)
		if err != nil {
			return err
		}
		pub = k.Public().(ed25519.PublicKey)
	default:
		db, err := openDB(ctx, cfg)
		if err != nil {
			return fmt.Errorf("receipt verify: no --public-key given and %w", err)
		}
		defer db.Close()
		k, err := receipts.LoadKey(ctx, db, "", "")
		if err != nil {
			return err
		}
		pub = k.Public().(ed25519.PublicKey)
	}
	p, err := receipts.Verify(pub, fs.Arg(0))
	if err != nil {
		fmt.Fprintln(stdout, "receipt INVALID: the signature does not match")
		return errors.New("receipt verify: invalid receipt")
	}
	fmt.Fprintf(stdout, "receipt valid\n  attempt:        %s\n  exam:           %s\n  national ID:    %s\n  finish reason:  %s\n  submitted at:   %s\n  answers sha256: %s\n",
		p.AttemptID, p.ExamID, p.NationalID, p.FinishReason, p.SubmittedAt.Format(time.RFC3339), p.AnswersSHA256)
	return nil
}

func rescoreCommand(ctx context.Context, cfg config, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("rescore", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	examID := fs.String("exam", "", "the exam's id")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("rescore: %w", err)
	}
	if *examID == "" {
		return errors.New("rescore: give --exam ID")
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := (&exam.Store{DB: db}).Rescore(ctx, cliActor, *examID)
	if errors.Is(err, exam.ErrNotFound) {
		return fmt.Errorf("rescore: no published exam %q", *examID)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "rescored %d attempts; pass/fail changed for %d\n", res.Rescored, len(res.Changed))
	for _, c := range res.Changed {
		fmt.Fprintf(stdout, "  %s: %.2f%% → %.2f%% (passed %v → %v)\n", c.NationalID, c.PercentBefore, c.PercentAfter, c.PassedBefore, c.PassedAfter)
	}
	return nil
}
