namespace Kith;

/// <summary>
/// A failure the user can act on: the message names the subject, the step and what to do, and the
/// CLI prints it as one line without a stack trace. Internal causes travel in <see cref="Exception.InnerException"/>
/// and are never shown unless the user asks for them. Messages never contain secret material.
/// </summary>
public class KithException : Exception
{
    public KithException(string message)
        : base(message)
    {
    }

    public KithException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public KithException()
    {
    }
}
