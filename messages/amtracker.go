package messages

// CheckAMCap asks the answering-machine tracker whether a lead has reached
// its cap of tracked outcomes today; answered with AMCapStatus.
type CheckAMCap struct {
	Ref    string
	LeadID string
	Phone  Phone
}

// AMCapStatus answers CheckAMCap.
type AMCapStatus struct {
	Ref     string
	Reached bool
	Count   int
}
