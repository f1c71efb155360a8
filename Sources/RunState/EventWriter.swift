/// The lease holder a write is made under, stamped on the events it appends (`events.writer`,
/// `events.writer_epoch`). Bound by `SQLStateStore.write` around a write of a run this store holds.
struct EventWriter: Sendable {
  var owner: String
  var epoch: Int64

  @TaskLocal static var current: EventWriter?
}
