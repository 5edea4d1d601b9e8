/// Free text from a spec's `<doc>` element: kept verbatim, only ever emitted inside comments.
public typealias Documentation = String
