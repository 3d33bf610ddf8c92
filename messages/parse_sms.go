package messages

// ParseSMSReply parses an inbound SMS webhook (SourceSMSReply): the sender must be a phone
// we can match against a sequence, and the text must be non-empty to be classified.
// Providers disagree on the text field's name, so message, body and text are all read.
func ParseSMSReply(body []byte) (SMSReplyReceived, error) {
	obj, err := decodeObject(body)
	if err != nil {
		return SMSReplyReceived{}, err
	}
	var v validator
	r := SMSReplyReceived{
		From: v.phone(obj, "from", true),
		To:   v.phone(obj, "to", false),
		Text: firstText(obj, "message", "body", "text"),
	}
	if r.Text == "" {
		v.add("message", problemRequired)
	}
	if err := v.err(); err != nil {
		return SMSReplyReceived{}, err
	}
	r.MessageID = firstText(obj, "sms_id", "message_id", "id")
	r.ReceivedAt = timestamp(obj, "timestamp", "received_at", "created_at")
	return r, nil
}
