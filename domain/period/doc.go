// Package period computes legal periods (Fristen) as §§ 187–193 BGB say: the day of the event
// that starts a period is not counted (§ 187 Abs. 1), a period ends at the end of its last day
// (§ 188), and a last day that falls on a Saturday, a Sunday or a public holiday at the place
// moves to the next working day (§ 193). Ends are exact instants: the end of the last day, i.e.
// 24:00 local time, which is 00:00 of the following day.
//
//	cal := period.Calendar{Code: "DE-SN", Location: berlin, Holidays: saxony}
//	end := cal.End(announcedAt, period.Length{Count: 30, Unit: period.Days}, 0)
//	fmt.Println(period.FormatEnd(end, cal.Location, "de")) // endet am 15.01.2027, 24:00 Uhr
//
// The package is pure: the holidays of a state come from outside through the Holidays port.
package period

import _ "time/tzdata" // time zones do not depend on the host's database
