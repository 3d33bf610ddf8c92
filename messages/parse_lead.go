package messages

// ParseLead parses a new-lead webhook from the CRM (SourceLead): phone_number, lead_id and
// list_id are required because without them we can neither dial nor report back.
func ParseLead(body []byte) (Lead, error) {
	return parseLead(body)
}

// ParseCallBack parses the CRM's call-back webhook (SourceCallBack); it carries the same
// lead facts as a new lead, so it follows the same rules.
func ParseCallBack(body []byte) (Lead, error) {
	return parseLead(body)
}

// parseLead is shared by both CRM webhooks so their rules cannot drift apart.
func parseLead(body []byte) (Lead, error) {
	obj, err := decodeObject(body)
	if err != nil {
		return Lead{}, err
	}
	var v validator
	l := Lead{
		Phone:  v.phone(obj, "phone_number", true),
		LeadID: v.requiredID(obj, "lead_id"),
		ListID: v.requiredID(obj, "list_id"),
	}
	if err := v.err(); err != nil {
		return Lead{}, err
	}
	known := map[string]*string{
		"first_name":    &l.FirstName,
		"last_name":     &l.LastName,
		"state":         &l.State,
		"status":        &l.Status,
		"email":         &l.Email,
		"address1":      &l.Address1,
		"city":          &l.City,
		"postal_code":   &l.PostalCode,
		"date_of_birth": &l.DateOfBirth,
		"age":           &l.Age,
	}
	for k, val := range obj {
		switch k {
		case "phone_number", "lead_id", "list_id":
			continue
		}
		s, ok := scalarString(val)
		if !ok {
			// Nested values and nulls carry nothing a dial or a CRM update uses.
			continue
		}
		if dst, ok := known[k]; ok {
			*dst = s
			continue
		}
		if l.Extra == nil {
			l.Extra = make(map[string]string)
		}
		l.Extra[k] = s
	}
	return l, nil
}
