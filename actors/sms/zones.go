package sms

import (
	"strings"
	"time"
	_ "time/tzdata" // a lead's zone must load on machines without a zone database
)

// Zone is where a lead may be for texting purposes: Primary's calendar
// counts the days (day gaps, the daily cap) and a text goes only while the
// hours allow it in every one of All. A state split between two zones (the
// Florida panhandle, west Texas) is known only by its state, so both apply.
type Zone struct {
	Primary *time.Location
	All     []*time.Location
}

// ZoneOf is the zone of a lead in state (two-letter code or full name, any
// case); an unknown or empty state gets the business zone.
func ZoneOf(state string, business *time.Location) Zone {
	names := zoneNames(stateCode(state))
	z := Zone{Primary: business, All: []*time.Location{business}}
	var all []*time.Location
	for _, n := range names {
		loc, err := time.LoadLocation(n)
		if err != nil { // cannot happen with the embedded database
			continue
		}
		all = append(all, loc)
	}
	if len(all) > 0 {
		z.Primary, z.All = all[0], all
	}
	return z
}

// zoneNames are the IANA zones of a US state, district or territory by its
// USPS code, the one most people live in first; nil when unknown. Zones
// holding a sliver of a state (the Aleutians, Menominee, Malheur, the
// Navajo Nation) are left out: the window would shrink for everyone there.
func zoneNames(code string) []string {
	const (
		eastern  = "America/New_York"
		central  = "America/Chicago"
		mountain = "America/Denver"
		pacific  = "America/Los_Angeles"
	)
	// A switch rather than a package-level map: nothing can mutate it.
	switch code {
	case "CT", "DE", "DC", "GA", "ME", "MD", "MA", "NH", "NJ", "NY", "NC", "OH", "PA", "RI", "SC", "VT", "VA", "WV":
		return []string{eastern}
	case "FL", "KY":
		return []string{eastern, central}
	case "MI":
		return []string{"America/Detroit"}
	case "IN":
		return []string{"America/Indiana/Indianapolis", central}
	case "AL", "AR", "IL", "IA", "LA", "MN", "MS", "MO", "OK", "WI":
		return []string{central}
	case "KS", "NE", "ND", "SD", "TX":
		return []string{central, mountain}
	case "TN":
		return []string{central, eastern}
	case "CO", "MT", "NM", "UT", "WY":
		return []string{mountain}
	case "ID":
		return []string{"America/Boise", pacific}
	case "AZ":
		return []string{"America/Phoenix"}
	case "CA", "NV", "OR", "WA":
		return []string{pacific}
	case "AK":
		return []string{"America/Anchorage"}
	case "HI":
		return []string{"Pacific/Honolulu"}
	case "PR":
		return []string{"America/Puerto_Rico"}
	case "VI":
		return []string{"America/St_Thomas"}
	case "GU":
		return []string{"Pacific/Guam"}
	case "MP":
		return []string{"Pacific/Saipan"}
	case "AS":
		return []string{"Pacific/Pago_Pago"}
	}
	return nil
}

// stateCode turns a state as CRMs send it ("fl", "Florida", " New York ",
// "D.C.") into its USPS code; anything else comes back upper-cased.
func stateCode(state string) string {
	s := strings.ToUpper(strings.Join(strings.Fields(strings.ReplaceAll(state, ".", "")), " "))
	switch s {
	case "ALABAMA":
		return "AL"
	case "ALASKA":
		return "AK"
	case "ARIZONA":
		return "AZ"
	case "ARKANSAS":
		return "AR"
	case "CALIFORNIA":
		return "CA"
	case "COLORADO":
		return "CO"
	case "CONNECTICUT":
		return "CT"
	case "DELAWARE":
		return "DE"
	case "DISTRICT OF COLUMBIA", "WASHINGTON DC":
		return "DC"
	case "FLORIDA":
		return "FL"
	case "GEORGIA":
		return "GA"
	case "HAWAII":
		return "HI"
	case "IDAHO":
		return "ID"
	case "ILLINOIS":
		return "IL"
	case "INDIANA":
		return "IN"
	case "IOWA":
		return "IA"
	case "KANSAS":
		return "KS"
	case "KENTUCKY":
		return "KY"
	case "LOUISIANA":
		return "LA"
	case "MAINE":
		return "ME"
	case "MARYLAND":
		return "MD"
	case "MASSACHUSETTS":
		return "MA"
	case "MICHIGAN":
		return "MI"
	case "MINNESOTA":
		return "MN"
	case "MISSISSIPPI":
		return "MS"
	case "MISSOURI":
		return "MO"
	case "MONTANA":
		return "MT"
	case "NEBRASKA":
		return "NE"
	case "NEVADA":
		return "NV"
	case "NEW HAMPSHIRE":
		return "NH"
	case "NEW JERSEY":
		return "NJ"
	case "NEW MEXICO":
		return "NM"
	case "NEW YORK":
		return "NY"
	case "NORTH CAROLINA":
		return "NC"
	case "NORTH DAKOTA":
		return "ND"
	case "OHIO":
		return "OH"
	case "OKLAHOMA":
		return "OK"
	case "OREGON":
		return "OR"
	case "PENNSYLVANIA":
		return "PA"
	case "RHODE ISLAND":
		return "RI"
	case "SOUTH CAROLINA":
		return "SC"
	case "SOUTH DAKOTA":
		return "SD"
	case "TENNESSEE":
		return "TN"
	case "TEXAS":
		return "TX"
	case "UTAH":
		return "UT"
	case "VERMONT":
		return "VT"
	case "VIRGINIA":
		return "VA"
	case "WASHINGTON":
		return "WA"
	case "WEST VIRGINIA":
		return "WV"
	case "WISCONSIN":
		return "WI"
	case "WYOMING":
		return "WY"
	case "PUERTO RICO":
		return "PR"
	case "US VIRGIN ISLANDS", "VIRGIN ISLANDS", "UNITED STATES VIRGIN ISLANDS":
		return "VI"
	case "GUAM":
		return "GU"
	case "NORTHERN MARIANA ISLANDS":
		return "MP"
	case "AMERICAN SAMOA":
		return "AS"
	}
	return s
}
