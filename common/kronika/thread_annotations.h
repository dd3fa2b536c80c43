// Clang thread-safety annotations (issue 13 item 4): the locking contract of a class is
// written next to its members, and clang's -Wthread-safety checks it at compile time.
//
//   Mutex mu_;
//   int count_ GUARDED_BY(mu_) = 0;      // read or written only with mu_ held
//   void Bump() REQUIRES(mu_);           // the caller holds mu_
//   void Stop() EXCLUDES(mu_);           // the caller must not hold mu_ (it takes it)
//
// Under clang each macro is the matching attribute (clang.llvm.org/docs/ThreadSafetyAnalysis
// lists them); under any other compiler it is nothing, so gcc builds see plain code. The
// clang builds of ./dev test compile with -Wthread-safety -Werror=thread-safety
// (CMakeLists.txt), so a member touched without its lock fails the build there.
// The annotated lock types are in kronika/mutex.h.
#pragma once

#if defined(__clang__)
#define KRONIKA_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define KRONIKA_THREAD_ANNOTATION(x)
#endif

// On a class: its objects are a capability (a lock); `x` names the kind in diagnostics.
#define CAPABILITY(x) KRONIKA_THREAD_ANNOTATION(capability(x))
// On an RAII class whose constructor acquires and destructor releases a capability.
#define SCOPED_CAPABILITY KRONIKA_THREAD_ANNOTATION(scoped_lockable)

// On a data member: accessed only with the capability held (writes: held exclusively).
#define GUARDED_BY(x) KRONIKA_THREAD_ANNOTATION(guarded_by(x))
// On a pointer member: the pointee is accessed only with the capability held.
#define PT_GUARDED_BY(x) KRONIKA_THREAD_ANNOTATION(pt_guarded_by(x))

// Lock order: this capability is taken before / after the named ones.
#define ACQUIRED_BEFORE(...) KRONIKA_THREAD_ANNOTATION(acquired_before(__VA_ARGS__))
#define ACQUIRED_AFTER(...) KRONIKA_THREAD_ANNOTATION(acquired_after(__VA_ARGS__))

// On a function: the caller holds the capabilities (exclusively / at least shared).
#define REQUIRES(...) KRONIKA_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define REQUIRES_SHARED(...) KRONIKA_THREAD_ANNOTATION(requires_shared_capability(__VA_ARGS__))

// On a function: it acquires / releases the capabilities (no argument: `this`).
#define ACQUIRE(...) KRONIKA_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define ACQUIRE_SHARED(...) KRONIKA_THREAD_ANNOTATION(acquire_shared_capability(__VA_ARGS__))
#define RELEASE(...) KRONIKA_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define RELEASE_SHARED(...) KRONIKA_THREAD_ANNOTATION(release_shared_capability(__VA_ARGS__))
#define RELEASE_GENERIC(...) KRONIKA_THREAD_ANNOTATION(release_generic_capability(__VA_ARGS__))
// On a function returning bool: it acquired the capability when it returned `result`.
#define TRY_ACQUIRE(...) KRONIKA_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
#define TRY_ACQUIRE_SHARED(...) KRONIKA_THREAD_ANNOTATION(try_acquire_shared_capability(__VA_ARGS__))

// On a function: the caller must not hold the capabilities (the function takes them).
#define EXCLUDES(...) KRONIKA_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))

// On a function: from its return on, the analysis assumes the capability is held.
#define ASSERT_CAPABILITY(x) KRONIKA_THREAD_ANNOTATION(assert_capability(x))
#define ASSERT_SHARED_CAPABILITY(x) KRONIKA_THREAD_ANNOTATION(assert_shared_capability(x))

// On a function: it returns a reference to the capability (an accessor of a private lock).
#define RETURN_CAPABILITY(x) KRONIKA_THREAD_ANNOTATION(lock_returned(x))

// On a function: not checked. Only where the analysis cannot follow the locking, with a
// comment saying why.
#define NO_THREAD_SAFETY_ANALYSIS KRONIKA_THREAD_ANNOTATION(no_thread_safety_analysis)
