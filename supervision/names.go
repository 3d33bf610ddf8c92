package supervision

// Names of the services, in start order. They are the actor names under
// root (root/<name>), the `actor` label of every metric and the log field.
const (
	Journal   = "journal"
	Blocklist = "blocklist"
	Stats     = "stats"
	AMTracker = "amtracker"
	CRM       = "crm"
	Calls     = "calls"
	Redial    = "redial"
	SMS       = "sms"
	Queue     = "queue"
	Gateway   = "gateway"
)

// RootName is the root actor's id; children are RootName + "/" + name.
const RootName = "root"
